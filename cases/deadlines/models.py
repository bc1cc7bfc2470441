"""Turnaround rules as data (RULES.md section 1) and the plan's closures.

Administrators edit the rules in the admin. A rule version has an effective date and is
never changed once in effect: a change is a new version with a later effective date, so
the clocks of cases already received keep the rule they were measured against.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TimeUnit(models.TextChoices):
    HOURS = "hours", "hours"
    CALENDAR_DAYS = "calendar_days", "calendar days"
    BUSINESS_DAYS = "business_days", "business days"


class Situation(models.TextChoices):
    EXPEDITED_PRE_SERVICE = "expedited_pre_service", "Expedited pre-service"
    STANDARD_PRE_SERVICE = "standard_pre_service", "Standard pre-service"
    CONCURRENT = "concurrent", "Concurrent (urgent)"
    POST_SERVICE = "post_service", "Post-service"


class PeriodCondition(models.TextChoices):
    NONE = "", "Always"
    # Maryland: emergency inpatient admission for mental health or substance use disorder
    # (an expedited inpatient admission with a diagnosis in ICD-10-CM chapter F).
    BEHAVIORAL_EMERGENCY_INPATIENT = "behavioral_emergency_inpatient", "Emergency inpatient mental health / SUD"
    # Maryland: "an extended stay or additional health care services" (Ins. Code
    # 15-10B-06(a)(2)): a change request adding units or extending the end date.
    ADDED_SERVICES = "added_services", "Extended stay or added services (a change request)"


class TurnaroundRule(models.Model):
    code = models.SlugField(max_length=30, help_text="Rule id, e.g. cms_ma, ncqa, ca_knox_keene.")
    name = models.CharField(max_length=120)
    source = models.CharField(max_length=200, blank=True)
    lines_of_business = models.JSONField(
        default=list, blank=True, help_text="Lines of business it applies to; empty: all."
    )
    state = models.CharField(max_length=2, blank=True, help_text="Member's state it applies to; empty: any.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    restarts_on_information = models.BooleanField(
        default=False, help_text="The clock runs from receipt of the information reasonably necessary."
    )
    information_notice_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Calendar days from receipt to tell the provider what is missing."
    )
    extension_amount = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)
    extension_grounds = models.JSONField(default=list, blank=True)
    extension_for_expedited = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "reviews_turnaroundrule"  # moved down from reviews; the table kept its name
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="turnaround_rule_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="turnaround_rule_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(extension_amount__isnull=True) | ~Q(extension_unit=""),
                name="turnaround_rule_extension_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (from {self.effective_from})"

    @property
    def in_effect(self) -> bool:
        return self.pk is not None and self.effective_from <= timezone.localdate()

    def clean(self):
        if self.pk is None and self.effective_from and self.effective_from <= timezone.localdate():
            raise ValidationError(
                {"effective_from": "A new version takes effect from tomorrow at the earliest (never retroactively)."}
            )
        if self.pk is not None:
            before = type(self).objects.get(pk=self.pk)
            if before.effective_from <= timezone.localdate():
                changed = [
                    f.name
                    for f in self._meta.concrete_fields
                    if f.name not in ("effective_to", "notes")
                    and getattr(before, f.attname) != getattr(self, f.attname)
                ]
                if changed:
                    raise ValidationError(
                        "This version is in effect: only its end date and notes may change. "
                        "Add a new version with a future effective date instead."
                    )


class TurnaroundPeriod(models.Model):
    """The allowed time of a rule for one situation (optionally one line of business or one
    special condition, which win over the general row)."""

    rule = models.ForeignKey(TurnaroundRule, on_delete=models.CASCADE, related_name="periods")
    situation = models.CharField(max_length=30, choices=Situation.choices)
    line_of_business = models.CharField(max_length=30, blank=True)
    condition = models.CharField(max_length=40, choices=PeriodCondition.choices, blank=True)
    amount = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=20, choices=TimeUnit.choices)

    class Meta:
        db_table = "reviews_turnaroundperiod"
        ordering = ["rule", "situation", "line_of_business", "condition"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "situation", "line_of_business", "condition"], name="turnaround_period_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="turnaround_period_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_situation_display()}: {self.amount} {self.get_unit_display()}"

    def clean(self):
        if self.rule_id and self.rule.in_effect:
            raise ValidationError("This rule version is in effect: add a new version with a future effective date.")


class PlanClosure(models.Model):
    """A day (or part of one) the plan is closed, on top of the US federal holidays
    (observed) that the `holidays` package supplies. Shared by the decision clocks
    (business days) and phone routing (hours)."""

    date = models.DateField()
    name = models.CharField(max_length=120)
    # Empty times: closed all day. Otherwise closed from `closed_from` (e.g. an early close).
    closed_from = models.TimeField(null=True, blank=True)
    counts_as_holiday = models.BooleanField(
        default=True, help_text="A whole-day closure is a non-business day for the decision clocks."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "reviews_planclosure"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["date", "name"], name="closure_date_name_unique")]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
