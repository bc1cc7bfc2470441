"""Letters, in-portal notifications; alerts, continuation of care and service lines land here too."""

import uuid

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-portal notice to one user (deadline alerts, escalations, letter problems)."""

    class Kind(models.TextChoices):
        DEADLINE_50 = "deadline_50", "Half the decision time has passed"
        DEADLINE_75 = "deadline_75", "Three quarters of the decision time has passed"
        DEADLINE_90 = "deadline_90", "90% of the decision time has passed"
        OVERDUE = "overdue", "Decision overdue"
        LETTER_BLOCKED = "letter_blocked", "Letter held: required content missing"
        CASE_ASSIGNED = "case_assigned", "Case assigned to you"
        INFORMATION_RECEIVED = "information_received", "Requested information received"
        APPEAL_FILED = "appeal_filed", "Appeal filed"
        PEER_TO_PEER_REQUESTED = "peer_to_peer_requested", "Peer-to-peer requested"
        OTHER = "other", "Notice"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.AuthorizationRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300, help_text="No PHI beyond the case reference.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.message


class Letter(models.Model):
    """A notice letter as issued: immutable once issued (the PDF and its hash)."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", "Approval"
        DENIAL = "denial", "Denial"
        PARTIAL_APPROVAL = "partial_approval", "Partial approval"
        REQUEST_FOR_INFORMATION = "request_for_information", "Request for information"
        EXTENSION = "extension", "Extension"
        APPEAL_DECISION = "appeal_decision", "Appeal decision"
        CONTINUATION_OF_CARE_MEMBER = "continuation_of_care_member", "Continuation of care (member)"
        CONTINUATION_OF_CARE_PROVIDER = "continuation_of_care_provider", "Continuation of care (provider)"

    class Recipient(models.TextChoices):
        MEMBER = "member", "Member"
        REQUESTING_PROVIDER = "requesting_provider", "Requesting provider"
        SERVICING_PROVIDER = "servicing_provider", "Servicing provider"

    access_log_kind = "letter"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    recipient = models.CharField(max_length=30, choices=Recipient.choices)
    # The case event that called for this letter: one letter per case, kind, recipient and event.
    event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "recipient", "event"], name="one_letter_per_case_kind_recipient_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} letter to {self.get_recipient_display().lower()} on {self.case}"


# Phone lines and hours (RULES.md section 6) live in their own module.
from .models_contact import (  # noqa: E402,F401
    ContactChangeLog,
    ContactLine,
    ContactLineHours,
    ContactLineInquiry,
    ContactLinePhone,
    InquiryKind,
    Weekday,
)
