"""Reviewer credentials and decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from um_portal.validators import PHONE_MAX_LENGTH


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
    # Made by software (an auto-approval rule), not a reviewer: reporting splits on it.
    automated = models.BooleanField(default=False)
    # The coded reason (reviews.models_reasons): required on denials and partial approvals.
    coded_reason = models.ForeignKey(
        "reviews.ReasonCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at"]
        # Reporting reads a day's decisions (rollups).
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_at_idx")]
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


class Pend(models.Model):
    """A request for information: what is missing and by when. Answered by the provider."""

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="pends")
    requested_information = models.TextField()
    respond_by = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    response_text = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_attachments = models.ManyToManyField("cases.Attachment", blank=True, related_name="+")
    coded_reason = models.ForeignKey(
        "reviews.ReasonCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(responded_at__isnull=True), name="one_open_pend_per_case"
            )
        ]
        indexes = [
            models.Index(fields=["requested_at"], name="pend_requested_at_idx"),
            models.Index(fields=["responded_at"], name="pend_responded_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Pend on {self.case} until {self.respond_by}"

    @property
    def is_open(self) -> bool:
        return self.responded_at is None


class Extension(models.Model):
    """A decision deadline extension: once per case, only where a rule allows it."""

    class Ground(models.TextChoices):
        MEMBER_REQUEST = "member_request", "The member asked for more time"
        OUTSIDE_INFORMATION = "outside_information", "Outside information is needed and in the member's interest"

    case = models.OneToOneField("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="extension")
    ground = models.CharField(max_length=30, choices=Ground.choices)
    reason = models.TextField()
    rule = models.CharField(max_length=30, help_text="The turnaround rule whose extension was used.")
    old_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Extension of {self.case} to {self.new_due_at:%Y-%m-%d}"


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        OVERTURNED = "overturned", "Overturned"
        PARTIALLY_OVERTURNED = "partially_overturned", "Partially overturned"

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="appeals")
    decision_appealed = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField()
    expedited = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_appeals"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    criteria = models.ManyToManyField("criteria.CriteriaVersion", blank=True, related_name="appeals")
    coded_reason = models.ForeignKey(
        "reviews.ReasonCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="decided_appeals"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at", "id"], name="appeal_open_due_idx", condition=Q(status="open")),
            models.Index(fields=["decided_at"], name="appeal_decided_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Appeal of {self.case}"


class PeerToPeerRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Decision upheld"
        CHANGED = "changed", "Decision changed"
        NO_CONTACT = "no_contact", "Could not reach the provider"

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="peer_to_peers")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    preferred_times = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="peer_to_peers"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        # The provider's worklist: talks still open, by request time (issue #13).
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="p2p_open_requested_idx",
                condition=Q(status__in=["requested", "scheduled"]),
            )
        ]

    def __str__(self) -> str:
        return f"Peer-to-peer on {self.case}"


class PeerToPeerAttempt(models.Model):
    class Result(models.TextChoices):
        REACHED = "reached", "Reached the provider"
        VOICEMAIL = "voicemail", "Left a voicemail"
        NO_ANSWER = "no_answer", "No answer"

    peer_to_peer = models.ForeignKey(PeerToPeerRequest, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=20, choices=Result.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_result_display()} at {self.at:%Y-%m-%d %H:%M}"


class CriteriaCopyRequest(models.Model):
    """A provider (or member) asked for a copy of the criteria used on a case."""

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="criteria_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Criteria copy for {self.case}"


# Deadline alerts (kept in their own module).
from .models_authorizations import (  # noqa: E402,F401
    Authorization,
    AuthorizationLine,
    AuthorizationUse,
    AuthorizationVersion,
)
from .models_clocks import CaseAlert  # noqa: E402,F401
from .models_irr import IrrAssignment, IrrExercise, IrrItem  # noqa: E402,F401
from .models_reasons import ReasonCatalogue, ReasonCode  # noqa: E402,F401
from .models_referrals import ClinicalIntentRule, RedirectionOffer, ReferralReview  # noqa: E402,F401
from .models_reporting import (  # noqa: E402,F401
    CaseDayRollup,
    CaseMonthRollup,
    PublishedMetrics,
    ReviewerDayRollup,
    RollupWatermark,
)
from .models_worksheet import Worksheet, WorksheetAnswer  # noqa: E402,F401
