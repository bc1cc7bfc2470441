"""Members, coverage, providers, agreements, stays, and the UM case itself."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from um_portal.models import AppendOnlyModel
from um_portal.validators import PHONE_MAX_LENGTH

from .choices import LineOfBusiness
from .validators import validate_icd10_cm, validate_npi, validate_tin

US_STATE_MAX = 2


class Member(models.Model):
    # What a read of it is in the PHI access log (um_portal.audit), and whose it is.
    access_log_kind = "member"

    @property
    def access_log_member_id(self):
        return self.pk

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other / unspecified"

    member_number = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=US_STATE_MAX)
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    preferred_language = models.CharField(max_length=40, default="English")

    class Meta:
        ordering = ["last_name", "first_name"]
        # The name search of the provider's Requests list (a word starts the first or the
        # last name, case-insensitive) has PostgreSQL-only indexes on UPPER(name)
        # text_pattern_ops: migration cases 0024.
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.member_number})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PlanContract(models.Model):
    """A Medicare Advantage contract, a Medicaid or CHIP managed-care plan or an exchange
    plan: CMS-0057-F asks for the prior-authorization metrics per contract or plan."""

    class Program(models.TextChoices):
        MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage (42 CFR 422.122)"
        MEDICAID = "medicaid", "Medicaid managed care (42 CFR 438.210)"
        CHIP = "chip", "CHIP managed care (42 CFR 457.1230)"
        EXCHANGE = "exchange", "Exchange plan (45 CFR 156.223)"

    program = models.CharField(max_length=30, choices=Program.choices)
    number = models.CharField(
        max_length=20, unique=True, help_text="The CMS contract number (e.g. H1234) or the state's plan identifier."
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["program", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Coverage(models.Model):
    """A coverage period: the member is covered by `plan_name` from effective to end date."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="coverages")
    plan_name = models.CharField(max_length=120)
    line_of_business = models.CharField(max_length=30, choices=LineOfBusiness.choices)
    state = models.CharField(max_length=US_STATE_MAX, help_text="State whose rules govern the coverage.")
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    premium_paid_through = models.DateField(null=True, blank=True)
    contract = models.ForeignKey(
        PlanContract, null=True, blank=True, on_delete=models.PROTECT, related_name="coverages",
        help_text="The MA contract or Medicaid/CHIP/exchange plan, for the public metrics.",
    )  # fmt: skip

    class Meta:
        ordering = ["-effective_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("effective_date")),
                name="coverage_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_name} ({self.get_line_of_business_display()}, {self.state})"

    def is_active_on(self, day) -> bool:
        return self.effective_date <= day and (self.end_date is None or day <= self.end_date)


class ProviderOrganization(models.Model):
    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice"
        HOSPITAL = "hospital", "Hospital"
        FACILITY = "facility", "Facility"
        DME = "dme", "DME supplier"
        LAB = "lab", "Laboratory"
        IMAGING = "imaging", "Imaging center"
        HOME_HEALTH = "home_health", "Home health agency"

    name = models.CharField(max_length=160)
    tin = models.CharField("TIN", max_length=9, validators=[validate_tin])
    npi = models.CharField("organization NPI", max_length=10, unique=True, validators=[validate_npi])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    fax = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    # A fax-only office (issue 18, item 3): its letters go by fax through the operations
    # queue with a cover sheet, and no e-mail notice points it to a portal it does not use.
    fax_only = models.BooleanField(
        default=False, help_text="Letters go by fax only (with a cover sheet); no portal e-mail notice."
    )
    address = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=US_STATE_MAX, blank=True)
    mfa_required = models.BooleanField(
        "require two-step verification",
        default=False,
        help_text="Staff of this organization must use an authenticator app at sign-in and for API tokens.",
    )
    # The group whose members (this organization's staff) hold object permissions on its cases.
    access_group = models.OneToOneField(
        "auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="provider_organization"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Practitioner(models.Model):
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    credentials = models.CharField(max_length=40, blank=True)
    specialty = models.CharField(max_length=80, help_text="In words, as the office knows it.")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="practitioners")
    # NUCC Health Care Provider Taxonomy codes (the provider directory, issue 20).
    specialties = models.ManyToManyField("cases.Specialty", blank=True, related_name="practitioners")

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        suffix = f", {self.credentials}" if self.credentials else ""
        return f"{self.first_name} {self.last_name}{suffix}"


class ProviderAgreement(models.Model):
    class EndReason(models.TextChoices):
        EXPIRATION = "expiration", "Expiration"
        TERMINATION = "termination", "Termination"
        INSOLVENCY = "insolvency", "Insolvency"
        CESSATION = "cessation_of_business", "Cessation of business"

    organization = models.ForeignKey(ProviderOrganization, on_delete=models.CASCADE, related_name="agreements")
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-effective_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("effective_date")),
                name="agreement_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | ~Q(end_reason=""),
                name="agreement_end_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} from {self.effective_date}"

    def is_active_on(self, day) -> bool:
        return self.effective_date <= day and (self.end_date is None or day < self.end_date)


class InpatientStay(models.Model):
    """A member's inpatient stay. One opened by an approved inpatient admission (issue 19,
    item 2) carries its admission case, authorized days and the next concurrent review;
    written only by `cases.services.stays` (and the reviewer actions built on it)."""

    access_log_kind = "stay"  # um_portal.audit

    @property
    def access_log_member_id(self):
        return self.member_id

    class Disposition(models.TextChoices):
        HOME = "home", "Home"
        HOME_HEALTH = "home_health", "Home with home health"
        SKILLED_NURSING = "skilled_nursing", "Skilled nursing facility"
        REHABILITATION = "rehabilitation", "Inpatient rehabilitation"
        HOSPICE = "hospice", "Hospice"
        TRANSFERRED = "transferred", "Transferred to another hospital"
        EXPIRED = "expired", "Expired"
        OTHER = "other", "Other"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="inpatient_stays")
    facility = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="inpatient_stays")
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)
    # The approved inpatient admission that opened the stay (none for stays recorded otherwise).
    case = models.OneToOneField(
        "AuthorizationRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="stay"
    )
    # Inpatient days authorized so far, counted from the day of admission (day 1), and the
    # last of them in the plan's time zone (cases.services.stays.authorized_through_for).
    authorized_days = models.PositiveIntegerField(default=0)
    authorized_through = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    los_norm = models.ForeignKey("LengthOfStayNorm", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    discharge_planning_notes = models.TextField(blank=True)
    discharge_disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    # The request for more days being decided now, if any (its case has its own clock).
    open_review = models.ForeignKey("StayReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Optimistic concurrency: bumped by every change; two nurses on one stay, one gets 409.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-admitted_at"]
        indexes = [
            models.Index(fields=["facility", "admitted_at"]),
            # The concurrent review queue: open stays by next review date (keyset).
            models.Index(
                fields=["next_review_on", "id"],
                name="stay_open_review_idx",
                condition=Q(discharged_at__isnull=True, next_review_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=models.F("admitted_at")),
                name="stay_discharge_after_admission",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} at {self.facility} from {self.admitted_at:%Y-%m-%d}"


class ServiceCategory(models.TextChoices):
    INPATIENT_ADMISSION = "inpatient_admission", "Inpatient admission"
    POST_ACUTE = "post_acute", "Post-acute care"
    OUTPATIENT_PROCEDURE = "outpatient_procedure", "Outpatient procedure"
    HOME_HEALTH = "home_health", "Home health"
    DME = "dme", "Durable medical equipment"
    SPECIALTY_REFERRAL = "specialty_referral", "Specialty referral"
    IMAGING = "imaging", "Imaging"
    LABORATORY = "laboratory", "Laboratory"
    PRIMARY_CARE_FOLLOW_UP = "primary_care_follow_up", "Primary care follow-up"


class ReviewType(models.TextChoices):
    PROSPECTIVE = "prospective", "Prospective (pre-service)"
    CONCURRENT = "concurrent", "Concurrent"
    RETROSPECTIVE = "retrospective", "Retrospective (post-service)"


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPEDITED = "expedited", "Expedited"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    FHIR = "fhir", "FHIR"
    FAX = "fax", "Fax"
    PHONE = "phone", "Phone"
    MAIL = "mail", "Mail"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "In review"
    PENDED = "pended", "Pended for information"
    PHYSICIAN_REVIEW = "physician_review", "Physician review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


# The only moves a case's status may make. `cases.services.workflow.case_status_set`
# is the one function that moves it and refuses everything else. Decided cases may
# move again only through an appeal decision (overturned or partially overturned).
S = CaseStatus
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.IN_REVIEW, S.PENDED, S.PHYSICIAN_REVIEW, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.PENDED, S.PHYSICIAN_REVIEW, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.PENDED: frozenset({S.IN_REVIEW, S.PHYSICIAN_REVIEW, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.PHYSICIAN_REVIEW: frozenset({S.IN_REVIEW, S.PENDED, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.CLOSED}),
    S.PARTIALLY_APPROVED: frozenset({S.APPROVED, S.CLOSED}),
    S.DENIED: frozenset({S.APPROVED, S.PARTIALLY_APPROVED, S.CLOSED}),
    S.WITHDRAWN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
OPEN_STATUSES = frozenset({S.RECEIVED, S.IN_REVIEW, S.PENDED, S.PHYSICIAN_REVIEW})
DECIDED_STATUSES = frozenset({S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED})
del S


class ChangeKind(models.TextChoices):
    """What an office asks of an authorization it holds (issue 19, item 3)."""

    ADD_UNITS = "add_units", "Add units or visits"
    EXTEND = "extend", "Extend the end date"
    CHANGE_SERVICING_PROVIDER = "change_servicing_provider", "Change the servicing provider"
    CANCEL_LINES = "cancel_lines", "Cancel lines"


class ReferenceSequence(models.Model):
    """The last number handed out per year for human references like UM-2026-000123."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class AuthorizationRequest(models.Model):
    """The case: a prior-authorization request or a referral."""

    access_log_kind = "case"  # um_portal.audit

    @property
    def access_log_member_id(self):
        return self.member_id

    class Kind(models.TextChoices):
        PRIOR_AUTHORIZATION = "prior_authorization", "Prior authorization"
        REFERRAL = "referral", "Referral"
        CONTINUATION_OF_CARE = "continuation_of_care", "Continuation of care"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.PRIOR_AUTHORIZATION)
    # No index of their own on `member` and the two organizations: the (member, received_at)
    # and (organization, received_at) indexes of Meta serve every lookup by them, and each
    # index is written on every submit (issue #13: 24 indexes on this table before, 21 now).
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cases", db_index=False)
    coverage = models.ForeignKey(Coverage, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    requesting_organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, related_name="requested_cases", db_index=False
    )
    requesting_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="requested_cases"
    )
    servicing_organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, related_name="serviced_cases", db_index=False
    )
    servicing_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="serviced_cases"
    )
    service_category = models.CharField(max_length=30, choices=ServiceCategory.choices)
    review_type = models.CharField(max_length=20, choices=ReviewType.choices, default=ReviewType.PROSPECTIVE)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.STANDARD)
    expedited_reason = models.TextField(blank=True)
    place_of_service = models.CharField(max_length=2, blank=True)
    clinical_summary = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    received_at = models.DateTimeField()
    decision_due_at = models.DateTimeField()
    notice_due_at = models.DateTimeField(null=True, blank=True)
    # One entry per applicable turnaround rule: {"rule", "due_at", "started_by"} (RULES.md 1).
    clocks = models.JSONField(default=list, blank=True)
    # Deadline enforcement (notifications.services.deadline_sweep): when the next alert threshold (50, 75,
    # 90 %, due) is reached; empty once every alert has been raised. Swept on an index.
    alert_next_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the decision went overdue (the escalation fired): shown on queues.
    overdue_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Maryland: tell the provider what is missing within 3 calendar days of receipt.
    information_notice_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="submitted_cases"
    )
    likely_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="likely_duplicates"
    )
    # A change request (issue 19, item 3): a case of its own (clock, decision, letters,
    # events) linked to the case whose authorization it would change, and what it asks.
    change_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="change_requests"
    )
    change_kind = models.CharField(max_length=30, choices=ChangeKind.choices, blank=True)
    # {"lines": [{"line", "units"|"end_date"}], "end_date", "servicing_provider_npi", "reason"}
    change_details = models.JSONField(default=dict, blank=True)
    # Optimistic concurrency: bumped by every status change.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["decision_due_at", "id"]
        permissions = [
            ("act_on_authorizationrequest", "Can act on this case as its provider"),
            # Held through the "UM supervisor" group (um_portal.roles.GRANTED_PERMISSIONS).
            ("reassign_cases", "Can reassign cases in bulk and see reviewers' open load (UM supervisor)"),
        ]
        indexes = [
            # The deadline sweep and the work queues: open cases by due time (keyset).
            models.Index(
                fields=["decision_due_at", "id"],
                name="case_open_due_idx",
                condition=Q(status__in=["received", "in_review", "pended", "physician_review"]),
            ),
            models.Index(fields=["status", "decision_due_at"]),
            # The deadline sweep: open cases whose next alert threshold has come.
            models.Index(
                fields=["alert_next_at", "id"],
                name="case_open_alert_next_id_idx",
                condition=Q(status__in=["received", "in_review", "pended", "physician_review"])
                & Q(alert_next_at__isnull=False),
            ),
            models.Index(fields=["member", "received_at"]),
            # Reporting: a day's receipts and decisions (rollups, today's partial day).
            models.Index(fields=["received_at"], name="case_received_at_idx"),
            models.Index(fields=["requesting_organization", "received_at"]),
            models.Index(fields=["servicing_organization", "received_at"]),
            # The provider's worklist and its list filtered by status (issue #13): the office's
            # cases in one status (pended: needs your response), newest first.
            models.Index(fields=["requesting_organization", "status", "received_at"], name="case_req_org_status_idx"),
            models.Index(fields=["servicing_organization", "status", "received_at"], name="case_srv_org_status_idx"),
            # The worklist's "decided this week": the office's decisions by time.
            models.Index(
                fields=["requesting_organization", "decided_at"],
                name="case_req_org_decided_idx",
                condition=Q(decided_at__isnull=False),
            ),
            models.Index(
                fields=["servicing_organization", "decided_at"],
                name="case_srv_org_decided_idx",
                condition=Q(decided_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(change_of__isnull=True) & Q(change_kind=""))
                | (Q(change_of__isnull=False) & ~Q(change_kind="")),
                name="case_change_kind_with_link",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def is_change(self) -> bool:
        return self.change_of_id is not None


class Diagnosis(models.Model):
    case = models.ForeignKey(AuthorizationRequest, on_delete=models.CASCADE, related_name="diagnoses")
    sequence = models.PositiveSmallIntegerField()
    code = models.CharField("ICD-10-CM code", max_length=8, validators=[validate_icd10_cm])
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="diagnosis_sequence_unique")]
        verbose_name_plural = "diagnoses"

    def __str__(self) -> str:
        return self.code


class ServiceLine(models.Model):
    class CodeSystem(models.TextChoices):
        CPT = "CPT", "CPT"
        HCPCS = "HCPCS", "HCPCS"
        # The other systems of Da Vinci PAS's requested-service value set (FHIR intake only).
        X12 = "X12", "X12 service type"
        PCS = "PCS", "ICD-10-PCS"
        NDC = "NDC", "NDC"

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        PARTIALLY_APPROVED = "partially_approved", "Partially approved"
        DENIED = "denied", "Denied"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the (case, line_number) unique constraint's serves every lookup.
    case = models.ForeignKey(AuthorizationRequest, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_number = models.PositiveSmallIntegerField()
    code_system = models.CharField(max_length=5, choices=CodeSystem.choices)
    code = models.CharField(max_length=13)
    description = models.CharField(max_length=200, blank=True, help_text="The service in plain words.")
    units = models.PositiveIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()
    # Set by the decision, per line, so partial approvals and reporting are exact.
    approved_units = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    # The requester cancelled this line before a decision (a PAS update): it is not decided.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Copies of the case's two organizations, so an office's approved lines ending soon are
    # read from an index of that office's lines (issue #13). Kept by PostgreSQL triggers
    # (migration cases 0027): set from the case on every insert or update of a line (so
    # bulk_create and save() need not know), and rewritten when the case's organizations
    # change. Never written from Python; the value on an instance may be stale.
    requesting_organization = models.ForeignKey(
        "ProviderOrganization", null=True, editable=False, db_index=False, db_constraint=False,
        on_delete=models.DO_NOTHING, related_name="+",
    )  # fmt: skip
    servicing_organization = models.ForeignKey(
        "ProviderOrganization", null=True, editable=False, db_index=False, db_constraint=False,
        on_delete=models.DO_NOTHING, related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "line_number"], name="line_number_unique"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="line_end_after_start"),
            models.CheckConstraint(condition=Q(units__gte=1), name="line_units_positive"),
            models.CheckConstraint(
                condition=Q(approved_units__isnull=True) | Q(approved_units__lte=models.F("units")),
                name="line_approved_within_requested",
            ),
        ]
        indexes = [
            models.Index(fields=["code", "start_date"]),
            # The worklist's approvals ending soon: approved lines by their last day, only
            # those still in force (issue #13).
            models.Index(
                fields=["end_date"],
                name="line_approved_end_idx",
                condition=Q(cancelled_at__isnull=True, outcome__in=["approved", "partially_approved"]),
            ),
            # The same, per office (requester or servicer): bounded by the office's lines
            # ending within the window, whatever the plan's size.
            models.Index(
                fields=["requesting_organization", "end_date"],
                name="line_req_org_approved_end_idx",
                condition=Q(cancelled_at__isnull=True, outcome__in=["approved", "partially_approved"]),
            ),
            models.Index(
                fields=["servicing_organization", "end_date"],
                name="line_srv_org_approved_end_idx",
                condition=Q(cancelled_at__isnull=True, outcome__in=["approved", "partially_approved"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_system} {self.code} x{self.units}"


def attachment_path(instance, filename: str) -> str:
    # Stored under an opaque name; the sanitized original name is kept on the row.
    return f"attachments/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    access_log_kind = "attachment"  # um_portal.audit

    @property
    def access_log_member_id(self):
        return self.case.member_id

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(AuthorizationRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active_content = models.BooleanField(
        default=False,
        help_text="A PDF with JavaScript, launch actions, XFA or embedded files: stored as sent, "
        "downloaded only as opaque bytes (cases.services.attachments).",
    )

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(AppendOnlyModel):
    """Append-only history of a case: every status change, decision, note and request.
    Written only by `cases.events`; the case timeline reads it."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Request received"
        STATUS_CHANGED = "status_changed", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        ATTACHMENT_ADDED = "attachment_added", "Document attached"
        NOTE_ADDED = "note_added", "Note added"
        INFORMATION_REQUESTED = "information_requested", "Information requested"
        INFORMATION_RECEIVED = "information_received", "Information received"
        ROUTED_TO_PHYSICIAN = "routed_to_physician", "Routed to physician"
        DECISION_RECORDED = "decision_recorded", "Decision recorded"
        EXTENDED = "extended", "Deadline extended"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CRITERIA_REQUESTED = "criteria_requested", "Criteria copy requested"
        PEER_TO_PEER_REQUESTED = "peer_to_peer_requested", "Peer-to-peer requested"
        PEER_TO_PEER_UPDATED = "peer_to_peer_updated", "Peer-to-peer updated"
        APPEAL_FILED = "appeal_filed", "Appeal filed"
        APPEAL_DECIDED = "appeal_decided", "Appeal decided"
        CLOCK_SET = "clock_set", "Due time set"
        ALERT_RAISED = "alert_raised", "Deadline alert"
        LETTER_ISSUED = "letter_issued", "Letter issued"
        LETTER_BLOCKED = "letter_blocked", "Letter held: required content missing"
        DUPLICATE_FLAGGED = "duplicate_flagged", "Possible duplicate"
        LINES_CHANGED = "lines_changed", "Service lines changed"
        UNITS_USED = "units_used", "Units used recorded"
        CHANGE_REQUESTED = "change_requested", "Change to the authorization requested"
        AUTHORIZATION_CHANGED = "authorization_changed", "Authorization changed"
        STAY_OPENED = "stay_opened", "Inpatient stay opened"
        STAY_REVIEW_REQUESTED = "stay_review_requested", "More inpatient days requested"
        STAY_DAYS_APPROVED = "stay_days_approved", "More inpatient days approved"
        STAY_REVIEW_CLOSED = "stay_review_closed", "Request for more days closed"
        STAY_NOTE_ADDED = "stay_note_added", "Discharge planning note"
        STAY_DISCHARGED = "stay_discharged", "Discharge recorded"
        # Referral management (issue 20).
        REFERRAL_REVIEW_OPENED = "referral_review_opened", "Out-of-network referral: referral management review"
        REDIRECTION_OFFERED = "redirection_offered", "In-network redirection proposed"
        REDIRECTION_ACCEPTED = "redirection_accepted", "Redirection accepted: servicing provider changed"
        REDIRECTION_DECLINED = "redirection_declined", "Redirection declined"
        OUT_OF_NETWORK_APPROVED = "out_of_network_approved", "Approved out of network"
        REFERRAL_REVIEW_CLOSED = "referral_review_closed", "Referral management review closed"

    # No index of its own: the (case, at) index of Meta serves every lookup by case.
    case = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    old_value = models.CharField(max_length=60, blank=True)
    new_value = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Provider-visible events appear on the provider's timeline; internal notes do not.
    provider_visible = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    @staticmethod
    def _status_words(value: str) -> str:
        try:
            return CaseStatus(value).label
        except ValueError:
            return value

    @property
    def old_status_label(self) -> str:
        """The status's words, never its stored code (issue 22, item 6)."""
        return self._status_words(self.old_value)

    @property
    def new_status_label(self) -> str:
        return self._status_words(self.new_value)

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


# django-guardian with direct foreign keys (its performance guide): provider
# organizations' access groups hold view/act permissions on their cases.
class AuthorizationRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(AuthorizationRequest, on_delete=models.CASCADE)


class AuthorizationRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(AuthorizationRequest, on_delete=models.CASCADE)


# Turnaround rules and plan closures: the deadlines package's models (cases/deadlines/).
from .deadlines.models import PlanClosure, TurnaroundPeriod, TurnaroundRule  # noqa: E402,F401

# The provider directory (issue 20): network status, specialties, locations and services.
from .models_directory import (  # noqa: E402,F401
    LocationService,
    NetworkParticipation,
    NetworkStatus,
    PracticeLocation,
    PractitionerLocation,
    Specialty,
)


def fax_path(instance, filename: str) -> str:
    # Opaque name in private storage, as for attachments; the case's document points at
    # this same file when the fax is keyed (stored once).
    return f"faxes/{uuid.uuid4().hex}"


class FaxReceipt(models.Model):
    """A fax as it arrived (issue 18, item 1): the file, its receipt time and its own clock
    (`due_at`, standard turnaround from receipt), until a nurse keys it into a case.
    Status moves only through `cases.services.fax`."""

    access_log_kind = "fax"  # um_portal.audit

    class Status(models.TextChoices):
        NEW = "new", "Not keyed yet"
        KEYED = "keyed", "Keyed"
        ATTACHED = "attached", "Attached to a case"
        REJECTED = "rejected", "Rejected"

    # Keying the same fax again is allowed: one fax may hold several requests.
    TRANSITIONS = {
        Status.NEW: {Status.KEYED, Status.ATTACHED},
        Status.KEYED: {Status.KEYED},
        Status.ATTACHED: set(),
        Status.REJECTED: set(),
    }

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded by staff"
        GATEWAY = "gateway", "Fax gateway"
        FOLDER = "folder", "Watched folder"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(upload_to=fax_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    active_content = models.BooleanField(default=False)
    sender_fax = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(help_text="From the fax gateway, or when the file arrived here.")
    arrived_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(help_text="Standard turnaround from receipt (cases.deadlines).")
    source = models.CharField(max_length=10, choices=Source.choices)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    rejection_message = models.CharField(max_length=300, blank=True)
    cases = models.ManyToManyField(AuthorizationRequest, blank=True, related_name="fax_receipts")
    keyed_at = models.DateTimeField(null=True, blank=True)
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A gateway sending the same fax again (same content and sender, within
    # FAX_RESEND_WINDOW_HOURS): one inbox row, each resend counted and recorded as an event.
    resend_count = models.PositiveIntegerField(default=0)
    # Where the file came from when a retry must find the same row (a watched-folder file:
    # its name and content), so ingesting it twice files it once.
    source_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    # The deadline sweep's next look at an unkeyed fax (as for cases: 50/75/90 %, overdue).
    alert_next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["status", "received_at", "id"], name="fax_inbox_idx"),
            models.Index(fields=["sha256", "sender_fax", "received_at"], name="fax_resend_idx"),
            models.Index(fields=["alert_next_at", "id"], condition=models.Q(status="new"), name="fax_alert_next_idx"),
            models.Index(fields=["keyed_at"], name="fax_keyed_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="rejected") & ~models.Q(rejection_message=""))
                | (~models.Q(status="rejected") & models.Q(rejection_message="")),
                name="fax_rejected_has_message",
            ),
        ]

    def __str__(self) -> str:
        return f"Fax {self.received_at:%Y-%m-%d %H:%M} from {self.sender_fax or 'unknown'}"

    @property
    def access_log_member_id(self):
        # Unkeyed, a fax names no member we know of; keyed, the first case's member.
        case = next(iter(self.cases.all()), None)
        return case.member_id if case is not None else None


# In their own modules: fax events (issue 18, item 1); OCR of faxes and the pre-fill kept
# (issue 18, item 2); inpatient stays, length-of-stay norms and concurrent reviews (issue 19,
# item 2).
from .models_fax import FaxEvent  # noqa: E402,F401
from .models_fax_ocr import FaxOcr, FaxPrefill  # noqa: E402,F401
from .models_stays import LengthOfStayNorm, StayReview  # noqa: E402,F401
