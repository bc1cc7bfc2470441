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
