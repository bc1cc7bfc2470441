"""Deadline alerts on unkeyed faxes (issue 18): the same thresholds as a case's (RULES.md
section 2: 50 %, 75 %, 90 % supervisor, overdue), on the fax's own clock from receipt."""

from django.db import models


class FaxAlert(models.Model):
    """Exactly one per fax and threshold: the unique constraint makes the sweep safe to run
    twice or in two places, and a sweep after an outage raises each missed one once."""

    class Threshold(models.TextChoices):
        HALF = "50", "50 % of the time to key"
        THREE_QUARTERS = "75", "75 % of the time to key"
        NINETY = "90", "90 % of the time to key (supervisor)"
        OVERDUE = "overdue", "Fax overdue"

    fax = models.ForeignKey("cases.FaxReceipt", on_delete=models.CASCADE, related_name="alerts")
    threshold = models.CharField(max_length=10, choices=Threshold.choices)
    due_at = models.DateTimeField(help_text="When the threshold was reached on the fax's clock.")
    fax_due_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    notified = models.PositiveSmallIntegerField(default=0, help_text="How many people were notified.")

    class Meta:
        ordering = ["fax", "due_at"]
        constraints = [models.UniqueConstraint(fields=["fax", "threshold"], name="one_alert_per_fax_threshold")]

    def __str__(self) -> str:
        return f"{self.fax_id}: {self.get_threshold_display()}"
