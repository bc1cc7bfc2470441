"""Length-of-stay norms and concurrent reviews of inpatient stays (issue 19, item 2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class LengthOfStayNorm(models.Model):
    """The expected length of stay for a DRG or diagnosis group: the geometric mean length
    of stay (GMLOS), as data. The shipped rows are synthetic but plausible; a plan replaces
    them with its licensed table (README, "Concurrent review")."""

    class Grouping(models.TextChoices):
        MS_DRG = "ms_drg", "MS-DRG"
        DIAGNOSIS_GROUP = "diagnosis_group", "Diagnosis group"

    grouping = models.CharField(max_length=20, choices=Grouping.choices)
    code = models.CharField(max_length=10)
    description = models.CharField(max_length=200)
    geometric_mean_days = models.DecimalField(max_digits=5, decimal_places=2)
    # ICD-10-CM prefixes of the principal diagnosis that fall in this group (longest wins).
    diagnosis_prefixes = models.JSONField(default=list, blank=True)
    effective_from = models.DateField()
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["grouping", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["grouping", "code", "effective_from"], name="los_norm_unique"),
            models.CheckConstraint(condition=Q(geometric_mean_days__gt=0), name="los_norm_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_grouping_display()} {self.code} {self.description} ({self.geometric_mean_days} days)"


class StayReview(models.Model):
    """A request for more inpatient days: a concurrent review, decided as its own case (its
    own clock from the turnaround rules, the physician-only rule, letters)."""

    stay = models.ForeignKey("InpatientStay", on_delete=models.PROTECT, related_name="reviews")
    case = models.OneToOneField("AuthorizationRequest", on_delete=models.PROTECT, related_name="stay_review")
    days_requested = models.PositiveIntegerField()
    # The next review date the nurse chose when approving; the default is the last
    # authorized day, moved to a business day (cases.services.stays.review_day_adjust).
    next_review_on = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    days_approved = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(days_requested__gte=1), name="stay_review_days_positive")]

    def __str__(self) -> str:
        return f"{self.days_requested} more days for stay {self.stay_id}"
