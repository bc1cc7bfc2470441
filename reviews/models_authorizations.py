"""Authorizations (issue 19, item 1): what an approved or partially approved case lets the
office do. Written only by `reviews.services.authorizations`, from the decision service
path, so every door that approves (page, API, automation, appeal, revision) yields one."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from um_portal.models import AppendOnlyModel


class Authorization(models.Model):
    case = models.OneToOneField("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="authorization")
    # "A-" + the case reference: unique because the reference is, and readable on the phone.
    number = models.CharField(max_length=30, unique=True, editable=False)
    valid_from = models.DateField()
    valid_to = models.DateField()
    # Set from the case when issued; an approved change of servicing provider moves it.
    servicing_organization = models.ForeignKey(
        "cases.ProviderOrganization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The number of its latest AuthorizationVersion (1 when issued).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="authorization_valid_span"),
        ]
        indexes = [models.Index(fields=["valid_to"], name="authorization_valid_to_idx")]

    def __str__(self) -> str:
        return self.number


class AuthorizationLine(models.Model):
    """One approved service line: units and date span approved, units used so far."""

    authorization = models.ForeignKey(Authorization, on_delete=models.CASCADE, related_name="lines")
    service_line = models.OneToOneField("cases.ServiceLine", on_delete=models.PROTECT, related_name="+")
    line_number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=13)
    approved_units = models.PositiveIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()
    units_used = models.PositiveIntegerField(default=0)
    # Cancelled by the office (a change recorded at once): no use on or after that day.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(fields=["authorization", "line_number"], name="authorization_line_unique"),
            # The service refuses first with a message; the database is the last word.
            models.CheckConstraint(
                condition=Q(units_used__lte=F("approved_units")), name="authorization_units_used_cap"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authorization_id} line {self.line_number}"

    @property
    def units_left(self) -> int:
        return self.approved_units - self.units_used


class AuthorizationUse(AppendOnlyModel):
    """Units used on a line, as a claims line entered or imported by staff. Append-only: the
    ORM refuses updates and deletes and PostgreSQL triggers refuse them too (um_portal.audit.
    database); a correction is a new row, never an edit."""

    line = models.ForeignKey(AuthorizationLine, on_delete=models.PROTECT, related_name="uses")
    units = models.PositiveIntegerField()
    service_date = models.DateField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(units__gte=1), name="authorization_use_units_positive")]

    def __str__(self) -> str:
        return f"{self.units} units on {self.service_date}"


class AuthorizationVersion(AppendOnlyModel):
    """What the authorization allowed from a moment on, and why: issued by the case's
    decision, revised by a later decision on it, changed by a change request's decision,
    or lines cancelled by the office (no decision). Append-only, like the events."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Issued"
        REVISED = "revised", "Revised by a new decision"
        ADD_UNITS = "add_units", "Units or visits added"
        EXTEND = "extend", "End date extended"
        CHANGE_SERVICING_PROVIDER = "change_servicing_provider", "Servicing provider changed"
        CANCEL_LINES = "cancel_lines", "Lines cancelled"

    authorization = models.ForeignKey(Authorization, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey("reviews.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change_case = models.ForeignKey(
        "cases.AuthorizationRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_to = models.DateField()
    servicing_organization = models.ForeignKey(
        "cases.ProviderOrganization", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # [{"line", "code", "approved_units", "start_date", "end_date", "cancelled"}] and, for a
    # change, {"applied": {line: units or end date}} so a revised decision applies only the difference.
    lines = models.JSONField(default=list)
    applied = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["authorization", "number"]
        constraints = [
            models.UniqueConstraint(fields=["authorization", "number"], name="authorization_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.authorization_id} v{self.number}"
