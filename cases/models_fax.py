"""Fax events (issue 18): append-only, one per status change of a fax, resend or alert."""

from django.conf import settings
from django.db import models

from um_portal.models import AppendOnlyModel


class FaxEvent(AppendOnlyModel):
    """Append-only: every status change of a fax, and each resend, with actor and time."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        REJECTED = "rejected", "Rejected"
        RESENT = "resent", "Sent again by the gateway"
        KEYED = "keyed", "Keyed into a case"
        ATTACHED = "attached", "Attached to a case"
        ALERT = "alert", "Deadline alert"

    fax = models.ForeignKey("cases.FaxReceipt", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    message = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    case = models.ForeignKey(
        "cases.AuthorizationRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["fax", "at"], name="fax_event_fax_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
