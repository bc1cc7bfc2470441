"""Reviewer credentials and decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class PhysicianLicense(models.Model):
    physician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2)
    number = models.CharField(max_length=40)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField()
    board_certification = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["state"]
        constraints = [models.UniqueConstraint(fields=["state", "number"], name="license_state_number_unique")]

    def __str__(self) -> str:
        return f"{self.state} {self.number} (expires {self.expires_on})"

    def is_active_on(self, day) -> bool:
        return (self.issued_on is None or self.issued_on <= day) and day <= self.expires_on


class Decision(models.Model):
    """A decision on a case. Medical-necessity denials and partial approvals are signed by a
    physician (signed_at, license). Per-line results live on the case's service lines."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        PARTIALLY_APPROVED = "partially_approved", "Partially approved"
        DENIED = "denied", "Denied"

    class Basis(models.TextChoices):
        MEDICAL_NECESSITY = "medical_necessity", "Medical necessity"
        BENEFIT = "benefit", "Not a covered benefit"
        ADMINISTRATIVE = "administrative", "Administrative"

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    basis = models.CharField(max_length=20, choices=Basis.choices, blank=True)
    reason = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    criteria = models.ManyToManyField("criteria.CriteriaVersion", blank=True, related_name="decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField()
    license = models.ForeignKey(PhysicianLicense, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    # Which appeal produced this decision, if any (an appeal decision supersedes).
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_current=True), name="one_current_decision_per_case"
            ),
            models.CheckConstraint(
                condition=~Q(basis="medical_necessity") | Q(signed_at__isnull=False, license__isnull=False),
                name="medical_necessity_decision_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.outcome} by {self.decided_by}"
