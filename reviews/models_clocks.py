"""The deadline alerts raised on cases (RULES.md section 2); the thresholds are
cases.deadlines.alerts, the sweep that raises them notifications.services.deadline_sweep."""

from django.db import models


class CaseAlert(models.Model):
    """A deadline alert raised on a case: exactly one per case and threshold (the unique
    constraint is what makes the sweep safe to run twice, or in two places)."""

    class Threshold(models.TextChoices):
        HALF = "50", "50 % of the decision time"
        THREE_QUARTERS = "75", "75 % of the decision time"
        NINETY = "90", "90 % of the decision time (supervisor)"
        OVERDUE = "overdue", "Decision overdue"
        INFORMATION_NOTICE = "information_notice", "Maryland: tell the provider what is missing"

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.CASCADE, related_name="alerts")
    threshold = models.CharField(max_length=30, choices=Threshold.choices)
    # When the threshold was reached (from the case's clock), and when the sweep saw it.
    due_at = models.DateTimeField()
    decision_due_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    notified = models.PositiveSmallIntegerField(default=0, help_text="How many people were notified.")

    class Meta:
        ordering = ["case", "due_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "threshold"], name="one_alert_per_case_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_threshold_display()}"
