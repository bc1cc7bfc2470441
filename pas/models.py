from django.conf import settings
from django.db import models


class PasSubmission(models.Model):
    """One PAS request received ($submit): a new request, an update or a cancel of a case.

    It keeps what the answer must echo (the Claim's identifier and fullUrl, the Claim's item
    sequences by service line, the submitter's resources) and makes a resend answer the
    same case: one row per Claim identifier and submitter."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", "New request"
        UPDATE = "update", "Update"
        CANCEL = "cancel", "Cancel"

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="pas_submissions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Who sent it, for resends and $inquire: the provider organization ("org:<id>") or, for
    # UMOC staff entering for others, the user ("user:<id>").
    submitter = models.CharField(max_length=40)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    identifier_system = models.CharField(max_length=255, blank=True)
    identifier_value = models.CharField(max_length=120)
    claim_full_url = models.CharField(max_length=500)
    # {"<line number>": <Claim.item.sequence>}: the answer never renumbers the items.
    item_sequences = models.JSONField(default=dict)
    # The request Bundle as received, less attachment data (stored as case documents).
    request_bundle = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitter", "identifier_system", "identifier_value"], name="pas_submission_once_per_claim"
            )
        ]
        indexes = [models.Index(fields=["case", "received_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.identifier_value} -> {self.case_id}"
