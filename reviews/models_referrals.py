"""Referral management (issue 20, item 3): the review of an out-of-network referral by the
Referral Management Unit, the in-network redirections it proposes to the referring office,
and the clinical-intent mapping the check reads. Written only by
`reviews.services.referrals`; the directory (networks, specialties, locations) is the
`cases` app's, read through `reviews.referral_directory`."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class OutOfNetworkReason(models.TextChoices):
    """Why a referral goes (or stays) out of network: recorded with an approval out of
    network and with an office's refusal of a redirection."""

    CONTINUITY_OF_CARE = "continuity_of_care", "Continuity of care"
    DISTANCE = "distance", "Distance"
    AVAILABILITY = "availability", "Availability"
    MEMBER_PREFERENCE = "member_preference", "Member's choice"
    OTHER = "other", "Other (explained)"


# A nurse approves out of network for the member's care, not for a preference alone (the
# provider manual's referral management section: continuity of care, distance, availability).
APPROVAL_REASONS = (
    OutOfNetworkReason.CONTINUITY_OF_CARE,
    OutOfNetworkReason.DISTANCE,
    OutOfNetworkReason.AVAILABILITY,
    OutOfNetworkReason.OTHER,
)


class ReferralReview(models.Model):
    """One per out-of-network referral: where it stands with the unit."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the unit"
        OFFERED = "offered", "Redirection proposed to the office"
        DECLINED = "declined", "Office declined the redirection"
        REDIRECTED = "redirected", "Redirected in network"
        APPROVED_OUT_OF_NETWORK = "approved_out_of_network", "Approved out of network"
        CLOSED = "closed", "Closed"

    S = Status
    # The only moves; `reviews.services.referrals.review_status_set` makes them.
    TRANSITIONS = {
        S.OPEN: frozenset({S.OFFERED, S.APPROVED_OUT_OF_NETWORK, S.CLOSED}),
        S.OFFERED: frozenset({S.REDIRECTED, S.DECLINED, S.CLOSED}),
        S.DECLINED: frozenset({S.OFFERED, S.APPROVED_OUT_OF_NETWORK, S.CLOSED}),
        S.REDIRECTED: frozenset({S.CLOSED}),
        S.APPROVED_OUT_OF_NETWORK: frozenset(),
        S.CLOSED: frozenset(),
    }
    QUEUED = (S.OPEN, S.OFFERED, S.DECLINED)
    del S

    case = models.OneToOneField("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="referral_review")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    # What the servicing provider was on the day of receipt (plan_medical_center, contracted,
    # out_of_network): kept, so the queue and the figures do not move when the directory does.
    network_status = models.CharField(max_length=30)
    specialty = models.CharField(max_length=20, blank=True, help_text="NUCC taxonomy code of the referral.")
    specialty_name = models.CharField(max_length=120, blank=True)
    # The clinical-intent check at receipt: [{"code", "message"}], shown to the nurse.
    intent_flags = models.JSONField(default=list, blank=True)
    # The nearest in-network options at receipt, as the queue lists them without a directory
    # query per row: [{"name", "network", "distance_miles"}]; the case page reads them live.
    alternatives = models.JSONField(default=list, blank=True)
    # Copied from the case so the queue orders on one table (keyset on due, id).
    due_at = models.DateTimeField()
    opened_at = models.DateTimeField()
    approval_reason = models.CharField(max_length=30, choices=OutOfNetworkReason.choices, blank=True)
    approval_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "id"]
        # Held through the "Referral management unit" group (um_portal.roles.GRANTED_PERMISSIONS).
        permissions = [("manage_referrals", "Can work out-of-network referrals (Referral Management Unit)")]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                name="referral_queue_idx",
                condition=Q(status__in=["open", "offered", "declined"]),
            ),
            models.Index(fields=["decided_at"], name="referral_decided_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved_out_of_network") | ~Q(approval_reason=""),
                name="referral_oon_approval_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral review of {self.case_id} ({self.status})"


class RedirectionOffer(models.Model):
    """An in-network option the unit proposes to the referring office, with its reason; the
    office accepts (the servicing provider changes, the old one is kept here) or declines
    with a reason."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    review = models.ForeignKey(ReferralReview, on_delete=models.PROTECT, related_name="offers")
    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="redirections")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    organization = models.ForeignKey("cases.ProviderOrganization", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        "cases.Practitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The option as the office read it (name, address, phone, distance), kept as shown.
    option_name = models.CharField(max_length=200)
    option_detail = models.CharField(max_length=300, blank=True)
    network = models.CharField(max_length=30, blank=True)
    distance_miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    message = models.TextField(help_text="The nurse's reason, to the referring office.")
    specialty = models.CharField(max_length=20, blank=True)
    specialty_name = models.CharField(max_length=120, blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField()
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=30, choices=OutOfNetworkReason.choices, blank=True)
    response_note = models.TextField(blank=True)
    previous_organization = models.ForeignKey(
        "cases.ProviderOrganization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_practitioner = models.ForeignKey(
        "cases.Practitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_servicing_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["offered_at", "id"]
        indexes = [
            models.Index(fields=["offered_at"], name="redirection_offered_at_idx"),
            models.Index(fields=["responded_at"], name="redirection_responded_at_idx"),
        ]
        constraints = [
            # One proposal at a time per case: the second of two nurses gets a 409.
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="offered"), name="one_open_redirection_per_case"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="redirection_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Redirection of {self.case_id} to {self.option_name} ({self.status})"


class ClinicalIntentRule(models.Model):
    """One row of the clinical-intent mapping (issue 20, item 3): a specialty (NUCC taxonomy),
    the ICD-10-CM chapters or blocks it usually treats, and optionally a family of service
    codes (a CPT range) that belongs to it. Administrators keep it in the admin; the check
    (`reviews.referral_intent`) reads it, it never denies: a mismatch is a question."""

    specialty = models.CharField(max_length=20, help_text="NUCC taxonomy code, e.g. 207RC0000X.")
    specialty_name = models.CharField(max_length=120)
    diagnosis_ranges = models.CharField(
        max_length=300,
        help_text="ICD-10-CM ranges by their first three characters, space separated, e.g. 'I00-I99 R00-R09'.",
    )
    service_family = models.CharField(max_length=120, blank=True, help_text="e.g. 'Cardiovascular studies'.")
    code_from = models.CharField(max_length=5, blank=True, help_text="First CPT code of the family, e.g. 93000.")
    code_to = models.CharField(max_length=5, blank=True, help_text="Last CPT code of the family, e.g. 93799.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["specialty_name", "code_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(code_from="") & Q(code_to=""))
                | (~Q(code_from="") & Q(code_to__gte=models.F("code_from"))),
                name="intent_rule_code_range",
            ),
        ]

    def __str__(self) -> str:
        family = f" / {self.service_family}" if self.service_family else ""
        return f"{self.specialty_name}{family}"

    def diagnosis_blocks(self) -> list[tuple[str, str]]:
        blocks = []
        for part in self.diagnosis_ranges.split():
            low, _, high = part.upper().partition("-")
            blocks.append((low[:3], (high or low)[:3]))
        return blocks

    def covers_code(self, code: str) -> bool:
        code = (code or "").upper()
        return bool(self.code_from) and len(code) == len(self.code_from) and self.code_from <= code <= self.code_to
