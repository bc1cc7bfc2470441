"""Letters, in-portal notifications; alerts, continuation of care and service lines land here too."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """An in-portal notice to one user (deadline alerts, escalations, letter problems)."""

    class Kind(models.TextChoices):
        DEADLINE_50 = "deadline_50", "Half the decision time has passed"
        DEADLINE_75 = "deadline_75", "Three quarters of the decision time has passed"
        DEADLINE_90 = "deadline_90", "90% of the decision time has passed"
        OVERDUE = "overdue", "Decision overdue"
        INFORMATION_NOTICE_DUE = "information_notice_due", "Tell the provider what is missing (Maryland)"
        LETTER_BLOCKED = "letter_blocked", "Letter held: required content missing"
        CASE_ASSIGNED = "case_assigned", "Case assigned to you"
        INFORMATION_RECEIVED = "information_received", "Requested information received"
        APPEAL_FILED = "appeal_filed", "Appeal filed"
        PEER_TO_PEER_REQUESTED = "peer_to_peer_requested", "Peer-to-peer requested"
        # Provider offices (issue 22, item 2): what the plan did on their request.
        INFORMATION_REQUESTED = "information_requested", "Information requested"
        DECISION_MADE = "decision_made", "Decision made"
        PEER_TO_PEER_OFFERED = "peer_to_peer_offered", "Peer-to-peer talk offered"
        PEER_TO_PEER_SCHEDULED = "peer_to_peer_scheduled", "Peer-to-peer talk scheduled"
        AUTHORIZATION_EXPIRING = "authorization_expiring", "Authorization ends soon"
        REDIRECTION_PROPOSED = "redirection_proposed", "In-network provider proposed for a referral"
        OTHER = "other", "Notice"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.AuthorizationRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # An unkeyed fax's deadline alert (issue 18) points at the fax in the inbox.
    fax = models.ForeignKey("cases.FaxReceipt", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300, help_text="No PHI beyond the case reference.")
    # The case event a notice tells of: one notice per user and event (a task run twice
    # notifies once).
    event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"]),
            # Opening a case marks its notices read (issue 22, item 4).
            models.Index(
                fields=["user", "case"], condition=Q(read_at__isnull=True), name="notification_unread_case_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], condition=Q(event__isnull=False), name="notification_one_per_user_event"
            )
        ]

    def __str__(self) -> str:
        return self.message


def letter_pdf_path(instance, filename: str) -> str:
    # One name per letter: a rerun after a crash overwrites its own unissued file.
    return f"letters/{instance.case_id}/{instance.pk}.pdf"


class LetterTemplate(models.Model):
    """One version of the body of a letter kind: a Django template administrators edit in
    the admin. Editing saves a new version; a letter keeps the version it was rendered with."""

    kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=160, help_text="The letter's heading, e.g. 'Your request is approved'.")
    body = models.TextField(help_text="Django template language. The variables are listed in the admin help.")
    note = models.CharField(max_length=200, blank=True, help_text="What changed in this version.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="letter_template_kind_version_unique")]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class Letter(models.Model):
    """A notice letter: planned (pending) when its event happens, then issued once, with its
    PDF and hash, or blocked when required content is missing. Never changes once issued."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", "Approval"
        DENIAL = "denial", "Denial"
        PARTIAL_APPROVAL = "partial_approval", "Partial approval"
        REQUEST_FOR_INFORMATION = "request_for_information", "Request for information"
        EXTENSION = "extension", "Extension"
        APPEAL_DECISION = "appeal_decision", "Appeal decision"
        CONTINUATION_OF_CARE_MEMBER = "continuation_of_care_member", "Continuation of care (member)"
        CONTINUATION_OF_CARE_PROVIDER = "continuation_of_care_provider", "Continuation of care (provider)"
        CONTINUITY_OF_CARE_RIGHTS = "continuity_of_care_rights", "Right to continuity of care (member)"
        # Referral management (issue 20): what the member is told.
        OUT_OF_NETWORK_APPROVAL = "out_of_network_approval", "Out-of-network approval (member)"
        REFERRAL_REDIRECTED = "referral_redirected", "Referral redirected in network (member)"

    class Recipient(models.TextChoices):
        MEMBER = "member", "Member"
        REQUESTING_PROVIDER = "requesting_provider", "Requesting provider"
        SERVICING_PROVIDER = "servicing_provider", "Servicing provider"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RENDERING = "rendering", "Being rendered"
        ISSUED = "issued", "Issued"
        BLOCKED = "blocked", "Held: required content missing"

    access_log_kind = "letter"  # um_portal.audit

    @property
    def access_log_member_id(self):
        return self.case.member_id

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    recipient = models.CharField(max_length=30, choices=Recipient.choices)
    # The case event that called for this letter: one letter per case, kind, recipient and event.
    event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Continuity-of-care rights notices come from an agreement end, not from a case event.
    continuation_run = models.ForeignKey(
        "notifications.ContinuationRun", null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # The notice deadline (RULES.md section 2); swept like decision deadlines.
    due_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    template = models.ForeignKey(LetterTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_address = models.TextField(blank=True)
    pdf = models.FileField(upload_to=letter_pdf_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    # Required elements that were missing when the letter was held (RULES.md section 4).
    missing = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "recipient", "event"], name="one_letter_per_case_kind_recipient_event"
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "recipient", "continuation_run"],
                condition=Q(continuation_run__isnull=False),
                name="one_letter_per_case_kind_recipient_run",
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(continuation_run__isnull=False), name="letter_has_a_cause"
            ),
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (Q(issued_at__isnull=False, template__isnull=False) & ~Q(sha256="") & ~Q(pdf="")),
                name="issued_letter_has_pdf_hash_template",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="letter_status_due_idx"),
            models.Index(fields=["status", "created_at"], name="letter_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} letter to {self.get_recipient_display().lower()} on {self.case}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_for_provider(self) -> bool:
        return self.recipient != self.Recipient.MEMBER

    @property
    def filename(self) -> str:
        return f"{self.case.reference}-{self.kind}-{self.recipient}.pdf"


class LetterDelivery(models.Model):
    """One way an issued letter reaches its recipient. Mail and fax wait in the operations
    queue until someone marks them sent; the portal copy is there at once."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "Portal"
        MAIL = "mail", "Mail"
        FAX = "fax", "Fax"
        EMAIL = "email", "E-mail notice"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    destination = models.TextField(blank=True, help_text="Mailing address, fax number or e-mail addresses.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "letter deliveries"
        constraints = [models.UniqueConstraint(fields=["letter", "channel"], name="one_delivery_per_letter_channel")]
        indexes = [models.Index(fields=["channel", "status", "created_at"], name="delivery_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} of {self.letter}"


class AuthorizationReminder(models.Model):
    """The expiry reminder for one authorization and end date was sent: the unique row is
    what makes it "once" across beat runs, retries and two workers (issue 19, item 1). An
    approved extension (item 3) moves the end date: the new end gets its own reminder."""

    authorization = models.ForeignKey("reviews.Authorization", on_delete=models.CASCADE, related_name="+")
    valid_to = models.DateField(help_text="The end date the reminder told of.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authorization", "valid_to"], name="authorization_reminder_once_per_end"),
        ]

    def __str__(self) -> str:
        return f"reminder {self.authorization_id} {self.valid_to}"


class AppealWindow(models.Model):
    """How many calendar days a member has to appeal, per line of business; administrators
    add a new row with an effective date to change it (never retroactively)."""

    line_of_business = models.CharField(max_length=30)
    days = models.PositiveSmallIntegerField()
    effective_from = models.DateField()
    source = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["line_of_business", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["line_of_business", "effective_from"], name="appeal_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.line_of_business}: {self.days} days from {self.effective_from}"


class ContinuationRun(models.Model):
    """One continuation-of-care run per agreement end: however often it is triggered, the
    members are found and letters issued once."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    agreement = models.ForeignKey("cases.ProviderAgreement", on_delete=models.PROTECT, related_name="continuation_runs")
    end_date = models.DateField()
    end_reason = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Keyset cursors so a run resumes in bounded batches where it stopped.
    last_stay_id = models.BigIntegerField(default=0)
    last_rights_member_id = models.BigIntegerField(default=0)
    stays_done = models.PositiveIntegerField(default=0)
    stays_finished = models.BooleanField(default=False)
    rights_done = models.PositiveIntegerField(default=0)
    rights_finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "end_date"], name="one_continuation_run_per_agreement_end")
        ]

    def __str__(self) -> str:
        return f"Continuation of care for {self.agreement} ending {self.end_date}"


class ContinuationCase(models.Model):
    """Which stay got which continuation-of-care case in a run (one per stay and run)."""

    run = models.ForeignKey(ContinuationRun, on_delete=models.PROTECT, related_name="cases")
    stay = models.ForeignKey("cases.InpatientStay", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "stay"], name="one_continuation_case_per_stay")]

    def __str__(self) -> str:
        return f"{self.case} for {self.stay}"


# Phone lines and hours (RULES.md section 6) live in their own module.
from .contact.models import (  # noqa: E402,F401
    ContactChangeLog,
    ContactLine,
    ContactLineHours,
    ContactLineInquiry,
    ContactLinePhone,
    InquiryKind,
    Weekday,
)

# Gold-card letters to provider organizations (issue 15).
from .models_fax import FaxAlert  # noqa: E402,F401
from .models_gold_card import GoldCardLetter  # noqa: E402,F401
