"""Phone lines and their hours (RULES.md section 6), and the log of every change to them.

`ContactLine` is a telephone (or fax) line of the plan; it is not `cases.ServiceLine`,
which is a line of an authorization request. Writes go through
`notifications.contact.services`; routing reads go through `notifications.contact.routing`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from cases.models import LineOfBusiness
from um_portal.exceptions import ValidationFailed
from um_portal.models import AppendOnlyModel
from um_portal.validators import PHONE_MAX_LENGTH

from .choices import InquiryKind, Weekday  # noqa: F401 - importable from the models, as Django's choices usually are
from .validation import intervals_validate, line_fallback_validate


def _as_validation_error(exc: ValidationFailed) -> ValidationError:
    """The services' refusal, as the admin and model forms show it (by field)."""
    if exc.errors:
        return ValidationError({field: msgs for field, msgs in exc.errors.items() if field != "hours"} or exc.message)
    return ValidationError(exc.message)


class ContactLine(models.Model):
    """A phone line: who answers which inquiries, and a line to fall back on when closed."""

    name = models.CharField(max_length=80, unique=True)
    # A stable handle for code (letters ask for "the referral fax"); names are for people
    # and administrators may rename them.
    key = models.SlugField(max_length=40, unique=True, null=True, blank=True, editable=False)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    fax = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    tty = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True, verbose_name="TTY")
    purpose = models.CharField(max_length=300, blank=True, help_text="What callers reach this line for.")
    open_on_holidays = models.BooleanField(
        default=False,
        help_text="Open on holidays and plan closures (with its holiday hours, or else its weekday hours).",
    )
    always_open = models.BooleanField(default=False, help_text="Answers around the clock (e.g. a fax line).")
    fallback = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fallback_for",
        help_text="The line that takes the calls while this one is closed.",
    )
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(fallback=F("pk")), name="contact_line_not_own_fallback"),
            models.CheckConstraint(condition=~Q(phone="", fax=""), name="contact_line_has_a_number"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not (self.phone or self.fax):
            raise ValidationError({"phone": "A line needs a phone or a fax number."})
        if self.fallback_id:
            try:
                line_fallback_validate(line=self, fallback=self.fallback, **type(self).fallback_graph())
            except ValidationFailed as exc:
                raise _as_validation_error(exc) from exc

    @classmethod
    def fallback_graph(cls) -> dict:
        """Every line's fallback and name, for the fallback-loop check (two queries)."""
        return {
            "fallbacks": dict(cls.objects.values_list("pk", "fallback_id")),
            "names": dict(cls.objects.values_list("pk", "name")),
        }

    @property
    def number(self) -> str:
        return self.phone or self.fax


class ContactLineInquiry(models.Model):
    """Which line answers an inquiry kind: exactly one line per kind."""

    line = models.ForeignKey(ContactLine, on_delete=models.CASCADE, related_name="inquiries")
    inquiry = models.CharField(max_length=40, choices=InquiryKind.choices, unique=True)

    class Meta:
        ordering = ["inquiry"]

    def __str__(self) -> str:
        return f"{self.get_inquiry_display()} → {self.line_id}"


class ContactLineHours(models.Model):
    """One interval of opening hours on a weekday (several per day allowed), in the plan's
    time zone (settings.TIME_ZONE)."""

    line = models.ForeignKey(ContactLine, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "contact line hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="contact_hours_close_after_open"),
            models.CheckConstraint(condition=Q(weekday__lte=7), name="contact_hours_weekday_range"),
            models.UniqueConstraint(fields=["line", "weekday", "opens"], name="contact_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.closes is not None and self.line_id:
            others = [
                (h.opens, h.closes)
                for h in ContactLineHours.objects.filter(line_id=self.line_id, weekday=self.weekday).exclude(pk=self.pk)
            ]
            try:
                intervals_validate(intervals=[*others, (self.opens, self.closes)])
            except ValidationFailed as exc:
                raise ValidationError(exc.message) from exc


class ContactLinePhone(models.Model):
    """Another number of the same line for one line of business (e.g. Member Services for
    Medicare members)."""

    line = models.ForeignKey(ContactLine, on_delete=models.CASCADE, related_name="alternate_phones")
    line_of_business = models.CharField(max_length=30, choices=LineOfBusiness.choices)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH)

    class Meta:
        ordering = ["line_of_business"]
        constraints = [
            models.UniqueConstraint(fields=["line", "line_of_business"], name="contact_phone_one_per_lob"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({self.get_line_of_business_display()})"


class ContactChangeLog(AppendOnlyModel):
    """Every change to lines, hours, alternate phones and closures: who, when, old and new."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_kind = models.CharField(max_length=30)  # "line", "hours", "closure"
    object_id = models.CharField(max_length=40)
    object_label = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_kind} {self.object_label}"

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(what, before, after) for each value that changed, readable by an administrator."""

        def show(value) -> str:
            if value is None or value == "" or value == []:
                return "—"
            if isinstance(value, list):
                return ", ".join("–".join(v) if isinstance(v, list) else str(v) for v in value)
            if isinstance(value, dict):
                return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
            return str(value)

        old, new = self.old, self.new
        if isinstance(old, dict) or isinstance(new, dict):
            old, new = old or {}, new or {}
            keys = list(dict.fromkeys([*old, *new]))
            return [(key, show(old.get(key)), show(new.get(key))) for key in keys if old.get(key) != new.get(key)]
        return [("hours", show(old) if old else "closed", show(new) if new else "closed")]
