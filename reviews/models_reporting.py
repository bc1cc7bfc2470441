"""Rollup tables behind the operations dashboard and the CMS-0057-F public report.

Figures are counted per plan-local day (America/New_York by default) by the reporting
services and rebuilt whole for a day, so a rebuild is idempotent. Nothing here holds PHI:
only counts, sums of seconds and bucket counts, keyed by business dimensions.
"""

from django.conf import settings
from django.db import models

# Bucket upper bounds (minutes) for receipt-to-decision times, so medians and 90th
# percentiles can be estimated from rollups without reading every case: fine where the
# regulatory clocks fall (72 hours expedited, 7 and 14 days standard), coarse elsewhere.
DECISION_TIME_BUCKETS_MINUTES = (
    5, 15, 30, 60, 120, 240, 480, 720, 1440, 2160, 2880, 4320, 5760, 7200, 8640,
    10080, 14400, 20160, 30240, 43200,
)  # fmt: skip
BUCKET_COUNT = len(DECISION_TIME_BUCKETS_MINUTES) + 1  # the last one is "longer"


def empty_histogram() -> list[int]:
    return [0] * BUCKET_COUNT


class CaseFigures(models.Model):
    """The dimensions and counters that a day's and a month's rollup share."""

    line_of_business = models.CharField(max_length=30)
    state = models.CharField(max_length=2, blank=True)
    service_category = models.CharField(max_length=30)
    urgency = models.CharField(max_length=20)
    # The turnaround rule that set the decision deadline (the earliest clock).
    rule = models.CharField(max_length=40, blank=True)
    contract = models.CharField(max_length=20, blank=True)

    received = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    decided_on_time = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    partially_approved = models.PositiveIntegerField(default=0)
    denied = models.PositiveIntegerField(default=0)
    auto_decided = models.PositiveIntegerField(default=0)
    decision_seconds_human = models.BigIntegerField(default=0)
    decision_seconds_auto = models.BigIntegerField(default=0)
    decision_hist_human = models.JSONField(default=empty_histogram)
    decision_hist_auto = models.JSONField(default=empty_histogram)
    pends_opened = models.PositiveIntegerField(default=0)
    pends_answered = models.PositiveIntegerField(default=0)
    pend_seconds = models.BigIntegerField(default=0)
    appeals_decided = models.PositiveIntegerField(default=0)
    appeals_overturned = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseDayRollup(CaseFigures):
    """What happened on one plan-local day, per combination of dimensions.

    Received counts are filed under the day of receipt; initial decisions under the day
    decided; pends under the day requested (lengths under the day answered); appeals under
    the day decided. The dimensions are the case's.
    """

    day = models.DateField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "line_of_business", "state", "service_category", "urgency", "rule", "contract"],
                name="case_day_rollup_unique_dimensions",
            )
        ]
        indexes = [models.Index(fields=["day", "line_of_business"])]

    def __str__(self) -> str:
        return f"{self.day} {self.line_of_business} {self.service_category} {self.urgency}"


class CaseMonthRollup(CaseFigures):
    """The same figures summed per calendar month (first day of the month in `month`)."""

    month = models.DateField()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "line_of_business", "state", "service_category", "urgency", "rule", "contract"],
                name="case_month_rollup_unique_dimensions",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.line_of_business} {self.service_category} {self.urgency}"


class ReviewerDayRollup(models.Model):
    """Decisions made per reviewer per day: workload, never a denial rate (DESIGN.md rule 7)."""

    day = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decided = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["day", "reviewer"], name="reviewer_day_rollup_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.reviewer_id}: {self.decided}"


class RollupWatermark(models.Model):
    """How far the incremental refresh has read the case event log (one row)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: event {self.last_event_id}"


class PublishedMetrics(models.Model):
    """The CMS-0057-F figures for one calendar year and one contract or plan ('' = all),
    computed by a task and read by the public page (never computed per anonymous request)."""

    year = models.PositiveIntegerField()
    contract = models.CharField(max_length=20, blank=True)
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "contract"]
        constraints = [models.UniqueConstraint(fields=["year", "contract"], name="published_metrics_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.contract or 'all'}"
