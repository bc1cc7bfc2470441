"""The reason-code catalogue (issue 16, item 2): every denial, partial approval, pend and
adverse appeal decision cites one coded reason, mapped to the X12 278 HCR03 code that PAS
sends in ClaimResponse reviewAction.reasonCode, and to plain-language text for members.

The catalogue is versioned: new decisions cite codes of the version in use; a retired
version's codes stay on the decisions that cited them and are refused for new ones."""

from django.db import models
from django.db.models import Q


class ReasonCatalogue(models.Model):
    version = models.CharField(max_length=20, unique=True)
    effective_from = models.DateField()
    # From this day on its codes are refused for new decisions.
    retired_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True) | Q(retired_on__gt=models.F("effective_from")),
                name="reason_catalogue_retired_after_effective",
            )
        ]

    def __str__(self) -> str:
        return f"Reason codes {self.version}"

    def in_use_on(self, day) -> bool:
        return self.effective_from <= day and (self.retired_on is None or day < self.retired_on)


class ReasonCode(models.Model):
    class Kind(models.TextChoices):
        DENIAL = "denial", "denial"
        PARTIAL_APPROVAL = "partial_approval", "partial approval"
        PEND = "pend", "request for information (pend)"
        APPEAL = "appeal", "appeal decision"

    catalogue = models.ForeignKey(ReasonCatalogue, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=12, help_text="The plan's code, e.g. MN01.")
    # HCR03 of the X12 278 response: X12 external code list 886 (licensed from X12). Check
    # the shipped values against the plan's licensed copy before go-live.
    x12_code = models.CharField(max_length=3, verbose_name="X12 HCR03 code")
    # The decision kinds that may cite it (values of Kind).
    kinds = models.JSONField(default=list)
    # Denials: only on this basis (Decision.Basis value); blank: any.
    basis = models.CharField(max_length=20, blank=True)
    label = models.CharField(max_length=160, help_text="Staff wording.")
    member_text = models.TextField(help_text="Plain language for members: 6th-grade reading level at most.")

    class Meta:
        ordering = ["catalogue", "code"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="reason_code_unique_in_catalogue")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
