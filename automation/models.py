"""Auto-approval rules (versioned data that can only approve), their evaluation at intake,
simulations over past decisions, and gold-card status.

Layer: above reviews (it approves through the review decision service) and below
notifications (which writes the gold-card letters). The intake reaches it only through the
hook it registers at start (`cases.intake_hooks`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from um_portal.models import AppendOnlyModel


class AutoApprovalRule(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RuleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGNOFF = "awaiting_signoff", "Awaiting a second administrator"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


R = RuleStatus
RULE_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.AWAITING_SIGNOFF, R.LIVE, R.RETIRED}),
    R.AWAITING_SIGNOFF: frozenset({R.LIVE, R.DRAFT, R.RETIRED}),
    R.LIVE: frozenset({R.RETIRED}),
    R.RETIRED: frozenset(),
}
del R


class AutoApprovalRuleVersion(models.Model):
    """One version of a rule: conditions (JSON, see `automation.conditions`) and the one
    action a rule may take, approving every line in full. Frozen once used in a decision
    (`locked_at`): a change is a new version."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approve in full"

    rule = models.ForeignKey(AutoApprovalRule, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    conditions = models.JSONField()
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.APPROVE)
    status = models.CharField(max_length=20, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    switched_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["rule__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="auto_rule_version_unique"),
            # Software may approve, never deny, reduce or delay (RULES.md section 3).
            models.CheckConstraint(condition=Q(action="approve"), name="auto_rule_only_approves"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="auto_rule_dates_ordered",
            ),
            models.UniqueConstraint(fields=["rule"], condition=Q(status="live"), name="auto_rule_one_live_version"),
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="auto_rule_live_idx")]

    def __str__(self) -> str:
        return f"{self.rule.name} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class RuleEvaluation(models.Model):
    """How the live rules judged one request at intake: the matched rule or, for the nurse,
    the closest one and the conditions it failed."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved by a rule"
        NO_MATCH = "no_match", "No rule matched"
        NOT_EVALUATED = "not_evaluated", "Not evaluated"

    case = models.OneToOneField("cases.AuthorizationRequest", on_delete=models.CASCADE, related_name="rule_evaluation")
    evaluated_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    matched_version = models.ForeignKey(
        AutoApprovalRuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    decision = models.ForeignKey("reviews.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # [{"rule", "version", "version_id", "passed": [...], "failed": [...]}], closest first.
    results = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=300)
    # Answers to criteria checklist items given at intake: {"<criteria set>": ["indication", ...]}.
    checklist = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["matched_version", "evaluated_at"], name="rule_eval_version_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.summary}"


class Simulation(models.Model):
    """A rule version run over the decided cases of a period, before it goes live."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(AutoApprovalRuleVersion, on_delete=models.CASCADE, related_name="simulations")
    conditions = models.JSONField(help_text="The conditions simulated (a later edit needs a new simulation).")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    human_denied = models.PositiveIntegerField(default=0)
    human_reduced = models.PositiveIntegerField(default=0)
    # The matched cases humans denied or reduced: [{"case_id", "reference", "outcome", "decided_at"}].
    adverse_cases = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="simulation_period")
        ]

    def __str__(self) -> str:
        return f"Simulation of {self.version} ({self.period_start} to {self.period_end})"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (100 * self.done // self.total if self.total else 0)

    @property
    def needs_signoff(self) -> bool:
        return self.human_denied + self.human_reduced > 0


class RuleEvent(AppendOnlyModel):
    """Who wrote, simulated, switched on, signed off or retired a rule version."""

    version = models.ForeignKey(AutoApprovalRuleVersion, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    old_value = models.CharField(max_length=30, blank=True)
    new_value = models.CharField(max_length=30, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.version} {self.kind}"


# Gold carding lives in its own module.
from .models_goldcard import GoldCardEvent, GoldCardPolicy, GoldCardStatus  # noqa: E402,F401
