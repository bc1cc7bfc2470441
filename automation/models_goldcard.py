"""Gold carding: providers whose requests are nearly always approved are exempted (approved
on receipt through a rule with the `gold_card` condition). Thresholds are versioned data."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from um_portal.models import AppendOnlyModel


class GoldCardPolicy(models.Model):
    """One version of the thresholds. Defaults after the Texas model (HB 3459): 6 months,
    at least 5 decided requests, 90 % approved; revocation takes effect after 30 days' notice."""

    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField()
    period_months = models.PositiveSmallIntegerField(default=6)
    min_decided = models.PositiveSmallIntegerField(default=5)
    min_approval_percent = models.DecimalField(max_digits=5, decimal_places=2, default=90)
    revocation_notice_days = models.PositiveSmallIntegerField(default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(period_months__gte=1), name="gold_card_period_positive"),
            models.CheckConstraint(condition=Q(min_decided__gte=1), name="gold_card_min_decided_positive"),
            models.CheckConstraint(
                condition=Q(min_approval_percent__gt=0) & Q(min_approval_percent__lte=100),
                name="gold_card_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Gold-card thresholds v{self.version} from {self.effective_from}"


class GoldCardStatus(models.Model):
    """An organization's gold card for one service code group (the case's service category)."""

    class Status(models.TextChoices):
        GRANTED = "granted", "Gold-carded"
        REVOCATION_NOTICED = "revocation_noticed", "Gold card ends after notice"
        REVOKED = "revoked", "Not gold-carded"

    organization = models.ForeignKey("cases.ProviderOrganization", on_delete=models.CASCADE, related_name="gold_cards")
    code_group = models.CharField(max_length=30)
    status = models.CharField(max_length=20, choices=Status.choices)
    since = models.DateTimeField()
    revocation_effective_at = models.DateTimeField(null=True, blank=True)
    policy = models.ForeignKey(GoldCardPolicy, on_delete=models.PROTECT, related_name="+")
    decided = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["organization__name", "code_group"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code_group"], name="gold_card_one_per_group"),
            models.CheckConstraint(
                condition=~Q(status="revocation_noticed") | Q(revocation_effective_at__isnull=False),
                name="gold_card_notice_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.code_group}: {self.status}"

    @property
    def is_gold(self) -> bool:
        """Gold-carded requests are approved until a revocation takes effect."""
        return self.status in (self.Status.GRANTED, self.Status.REVOCATION_NOTICED)

    @property
    def rate(self) -> float:
        return round(100 * self.approved / self.decided, 1) if self.decided else 0.0


class GoldCardEvent(AppendOnlyModel):
    """Every status change, with the figures it rested on. Letters are written from these."""

    class Kind(models.TextChoices):
        GRANTED = "granted", "Gold card granted"
        REVOCATION_NOTICED = "revocation_noticed", "Notice of gold card revocation"
        REVOKED = "revoked", "Gold card revoked"
        NOTICE_WITHDRAWN = "notice_withdrawn", "Revocation notice withdrawn"

    organization = models.ForeignKey("cases.ProviderOrganization", on_delete=models.PROTECT, related_name="+")
    code_group = models.CharField(max_length=30)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    decided = models.PositiveIntegerField()
    approved = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    effective_at = models.DateTimeField(null=True, blank=True)
    policy = models.ForeignKey(GoldCardPolicy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.code_group} {self.kind}"

    @property
    def rate(self) -> float:
        return round(100 * self.approved / self.decided, 1) if self.decided else 0.0
