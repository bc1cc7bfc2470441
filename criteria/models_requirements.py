"""Which services need prior authorization, where and for whom, and what documentation
each needs: versioned data with effective dates, published to providers (CMS-0057-F asks
payers to publish the list and the documentation required)."""

from django.db import models
from django.db.models import Q

from .codes import procedure_ranges_parse


class CoverageRequirement(models.Model):
    """One version of a requirement: the codes (single codes and ranges) need prior
    authorization on these dates for the lines of business, states, places of service and
    network status listed (an empty list means any). Versions of one `policy` never overlap
    in time (checked by `criteria.services.requirements`)."""

    class Network(models.TextChoices):
        ANY = "any", "In or out of network"
        IN_NETWORK = "in_network", "In network"
        OUT_OF_NETWORK = "out_of_network", "Out of network"

    policy = models.SlugField(max_length=60, help_text="Stable name shared by every version, e.g. knee-arthroplasty.")
    version = models.PositiveIntegerField()
    service = models.CharField(max_length=200, help_text="The service in plain words.")
    codes = models.JSONField(help_text='CPT/HCPCS codes and ranges, e.g. ["27447", "97110-97140"].')
    # The lowest and highest code covered, for an index-friendly first filter.
    code_min = models.CharField(max_length=5, editable=False)
    code_max = models.CharField(max_length=5, editable=False)
    lines_of_business = models.JSONField(default=list, blank=True, help_text="Empty: every line of business.")
    states = models.JSONField(default=list, blank=True, help_text="Two-letter states; empty: every state.")
    places_of_service = models.JSONField(default=list, blank=True, help_text="CMS place-of-service codes; empty: any.")
    network_status = models.CharField(max_length=20, choices=Network.choices, default=Network.ANY)
    documentation = models.JSONField(default=list, blank=True, help_text="The documents a request must include.")
    criteria_sets = models.ManyToManyField(
        "criteria.CriteriaSet", blank=True, related_name="coverage_requirements", help_text="The criteria to cite."
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code_min", "policy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="coverage_requirement_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="coverage_requirement_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(code_max__gte=models.F("code_min")), name="coverage_requirement_codes"),
        ]
        indexes = [models.Index(fields=["code_min", "code_max"], name="coverage_req_code_idx")]

    def __str__(self) -> str:
        return f"{self.policy} v{self.version}"

    @property
    def code_ranges(self) -> list[list[str]]:
        return procedure_ranges_parse(self.codes, field="codes")

    def is_in_force_on(self, day) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
