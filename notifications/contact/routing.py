"""Who answers the phone: the line, number and hours for an inquiry at a moment
(RULES.md section 6), and the numbers letters print.

Reads only. Everything is computed in the plan's time zone (settings.TIME_ZONE) and is
holiday-aware: US federal holidays as observed (cases.deadlines.calendar) and administrator-added
plan closures (cases.PlanClosure, whole-day or an early close from `closed_from`).

Public helpers (letters and pages call these; they never hold phone numbers themselves):

- ``route_inquiry(inquiry=, at=, line_of_business=None) -> Route`` — the line to call now:
  the inquiry's line if open, else the first open line along its fallbacks (the urgent
  pre-service line falls back on the Weekend and Holiday Line), else the line of that
  chain that opens first, with ``opens_at``. ``Route.as_dict()`` is the API answer
  ``{"line", "phone", "open_now", "opens_at", "hours"}``.
- ``phone_for(inquiry=None, line_key=None, line_of_business=None) -> str`` — the number
  printed for an inquiry kind (``InquiryKind``) or a line (``key``): the line's alternate
  number for the member's line of business if it has one (Member Services for Medicare
  members), else its phone. ``""`` if nothing is configured (a letter must then be held).
- ``tty_for(inquiry="member_services") -> str`` and ``fax_for(line_key="referral_fax") -> str``.
- ``letter_phones(line_of_business=None) -> dict`` — all the numbers a letter prints, in
  one query: ``um`` (UMOC), ``criteria_copy``, ``um_physician`` (adverse determination,
  peer-to-peer), ``benefit_denial``, ``member_services``, ``tty``, ``fax`` (referral fax),
  ``provider_experience``, ``weekend_holiday``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from cases.deadlines.calendar import federal_holidays, plan_tz
from cases.models import PlanClosure
from um_portal.exceptions import ValidationFailed

from .models import ContactLine, ContactLineHours, ContactLineInquiry, InquiryKind, Weekday

# How far ahead "next opening" looks: two weeks covers any run of holidays and weekends.
HORIZON_DAYS = 15
HOLIDAY = Weekday.HOLIDAY.value
# Years routing answers for: the holiday calendar means something there, and two weeks of
# look-ahead stay far from datetime's limits.
MIN_YEAR, MAX_YEAR = 1990, 2199
LETTER_LINE_KEYS = {
    "fax": "referral_fax",
    "provider_experience": "provider_experience",
    "weekend_holiday": "weekend_holiday",
}
LETTER_INQUIRIES = {
    "um": InquiryKind.AUTHORIZATION_STATUS,
    "criteria_copy": InquiryKind.CRITERIA_COPY,
    "um_physician": InquiryKind.ADVERSE_DETERMINATION,
    "benefit_denial": InquiryKind.BENEFIT_DENIAL_QUESTION,
    "member_services": InquiryKind.MEMBER_SERVICES,
}


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


@dataclass
class PlanDays:
    """Holidays and closures over a window of days, read once."""

    holidays: dict[date, str] = field(default_factory=dict)
    early_close: dict[date, tuple[time, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, start: date, end: date) -> "PlanDays":
        days = cls()
        for year in range(start.year, end.year + 1):
            days.holidays.update({d: n for d, n in federal_holidays(year).items() if start <= d <= end})
        # One query. A whole-day closure closes the phones whether or not it stops the clocks.
        for closure in PlanClosure.objects.filter(date__range=(start, end)).order_by("date", "closed_from"):
            if closure.closed_from is None:
                days.holidays[closure.date] = closure.name
            elif closure.date not in days.early_close:
                days.early_close[closure.date] = (closure.closed_from, closure.name)
        return days


class RoutingTable:
    """Every line with its hours, numbers and inquiries, plus the calendar: four queries,
    then any number of routing answers from memory."""

    def __init__(self, *, around: datetime | None = None, lines: list[ContactLine] | None = None):
        around = around or timezone.now()
        start = around.astimezone(plan_tz()).date() - timedelta(days=1)
        if lines is None:
            lines = list(
                ContactLine.objects.prefetch_related(
                    Prefetch("hours", queryset=ContactLineHours.objects.order_by("weekday", "opens")),
                    "alternate_phones",
                    "inquiries",
                )
            )
        self.lines = lines
        self.by_pk = {line.pk: line for line in lines}
        self.by_key = {line.key: line for line in lines if line.key}
        self.by_inquiry = {item.inquiry: line for line in lines for item in line.inquiries.all()}
        self.days = PlanDays.load(start, start + timedelta(days=HORIZON_DAYS + 2))
        self._start, self._end = start, start + timedelta(days=HORIZON_DAYS + 2)

    # -- hours -------------------------------------------------------------------------
    @staticmethod
    def weekly(line: ContactLine) -> dict[int, list[tuple[time, time]]]:
        result: dict[int, list[tuple[time, time]]] = {}
        for interval in line.hours.all():
            result.setdefault(interval.weekday, []).append((interval.opens, interval.closes))
        return result

    def _day_calendar(self, day: date) -> PlanDays:
        if not (self._start <= day <= self._end):
            return PlanDays.load(day, day)
        return self.days

    def intervals(self, line: ContactLine, day: date) -> list[tuple[datetime, datetime]]:
        """When `line` answers on `day`, as aware datetimes in the plan's time zone."""
        tz = plan_tz()
        if line.always_open:
            return [
                (
                    datetime.combine(day, time(0), tzinfo=tz),
                    datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz),
                )
            ]
        weekly = self.weekly(line)
        weekday_hours = weekly.get(day.weekday(), [])
        holiday_hours = weekly.get(HOLIDAY) or weekday_hours
        days = self._day_calendar(day)
        if day in days.holidays:
            chosen = holiday_hours if line.open_on_holidays else []
        elif day in days.early_close:
            # Until the early close, the day's usual hours; after it the day is a holiday.
            cut = days.early_close[day][0]
            chosen = [(o, min(c, cut)) for o, c in weekday_hours if o < cut]
            if line.open_on_holidays:
                after = [(max(o, cut), c) for o, c in holiday_hours if c > cut]
                chosen = _merge([*chosen, *after])
        else:
            chosen = weekday_hours
        return [(datetime.combine(day, o, tzinfo=tz), datetime.combine(day, c, tzinfo=tz)) for o, c in chosen]

    def is_open(self, line: ContactLine, at: datetime) -> bool:
        day = at.astimezone(plan_tz()).date()
        return any(start <= at < end for start, end in self.intervals(line, day))

    def next_opening(self, line: ContactLine, at: datetime) -> datetime | None:
        """The next moment after `at` the line opens (None: not within the horizon)."""
        day = at.astimezone(plan_tz()).date()
        for offset in range(HORIZON_DAYS):
            for start, _end in self.intervals(line, day + timedelta(days=offset)):
                if start > at:
                    return start
        return None

    def hours_text(self, line: ContactLine) -> str:
        if line.always_open:
            return "Always open"
        weekly = self.weekly(line)
        parts = []
        names = [Weekday(d).label for d in range(7)]
        day = 0
        while day < 7:
            key = weekly.get(day)
            if not key:
                day += 1
                continue
            end = day
            while end + 1 < 7 and weekly.get(end + 1) == key:
                end += 1
            span = (
                names[day]
                if end == day
                else f"{names[day]} and {names[end]}"
                if end == day + 1
                else f"{names[day]} to {names[end]}"
            )
            parts.append(f"{span} {_intervals_text(key)}")
            day = end + 1
        if line.open_on_holidays:
            holiday = weekly.get(HOLIDAY)
            parts.append(f"holidays {_intervals_text(holiday)}" if holiday else "open on holidays")
        elif parts:
            parts.append("closed on holidays")
        return "; ".join(parts) if parts else "No hours set"

    # -- routing -----------------------------------------------------------------------
    def chain(self, line: ContactLine) -> list[ContactLine]:
        """The line and its fallbacks in order, each once (a loop stops the walk)."""
        result, seen = [], set()
        current = line
        while current is not None and current.pk not in seen:
            result.append(current)
            seen.add(current.pk)
            current = self.by_pk.get(current.fallback_id)
        return result

    def route(self, *, inquiry: str, at: datetime, line_of_business: str | None = None) -> "Route":
        primary = self.by_inquiry.get(inquiry)
        if primary is None:
            raise ValidationFailed(f"No line answers “{inquiry}”.", errors={"inquiry": ["No line answers it."]})
        chain = self.chain(primary)
        answer, opens_at, open_now = None, None, False
        for line in chain:
            if self.is_open(line, at):
                answer, open_now = line, True
                break
        if answer is None:
            # Nobody answers now: the line of the chain that opens first (the inquiry's own
            # line on a tie).
            candidates = [(self.next_opening(line, at), index, line) for index, line in enumerate(chain)]
            dated = [c for c in candidates if c[0] is not None]
            opens_at, _, answer = min(dated) if dated else (None, 0, primary)
        return Route(
            inquiry=inquiry,
            line=answer,
            requested_line=primary,
            phone=_phone(answer, line_of_business),
            tty=answer.tty,
            open_now=open_now,
            opens_at=opens_at,
            hours=self.hours_text(answer),
        )


def _merge(intervals: list[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[tuple[time, time]] = []
    for opens, closes in sorted(intervals):
        if closes <= opens:
            continue
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def _intervals_text(intervals: list[tuple[time, time]]) -> str:
    return " and ".join(f"{_clock(o)} to {_clock(c)}" for o, c in intervals)


def _phone(line: ContactLine, line_of_business: str | None) -> str:
    if line_of_business:
        for alternate in line.alternate_phones.all():
            if alternate.line_of_business == line_of_business:
                return alternate.phone
    return line.phone or line.fax


@dataclass(frozen=True)
class Route:
    inquiry: str
    line: ContactLine
    requested_line: ContactLine
    phone: str
    tty: str
    open_now: bool
    opens_at: datetime | None
    hours: str

    @property
    def inquiry_label(self) -> str:
        return InquiryKind(self.inquiry).label

    @property
    def is_fallback(self) -> bool:
        return self.line.pk != self.requested_line.pk

    def as_dict(self) -> dict:
        return {
            "line": self.line.name,
            "phone": self.phone,
            "open_now": self.open_now,
            "opens_at": self.opens_at.astimezone(plan_tz()).isoformat() if self.opens_at else None,
            "hours": self.hours,
        }


def route_inquiry(
    *, inquiry: str, at: datetime | None = None, line_of_business: str | None = None, table: RoutingTable | None = None
) -> Route:
    """The line to call for `inquiry` at `at` (default now). See the module docstring."""
    if inquiry not in InquiryKind.values:
        raise ValidationFailed(f"Unknown inquiry “{inquiry}”.", errors={"inquiry": ["Unknown inquiry kind."]})
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = at.replace(tzinfo=plan_tz())
    if not (MIN_YEAR <= at.year <= MAX_YEAR):
        message = f"Give a moment between {MIN_YEAR} and {MAX_YEAR}."
        raise ValidationFailed(message, errors={"at": [message]})
    table = table or RoutingTable(around=at)
    return table.route(inquiry=inquiry, at=at, line_of_business=line_of_business)


def routes_all(*, at: datetime | None = None, line_of_business: str | None = None) -> tuple[RoutingTable, list[Route]]:
    """One answer per inquiry kind (the contact page), from one routing table."""
    at = at or timezone.now()
    table = RoutingTable(around=at)
    routes = [
        table.route(inquiry=kind, at=at, line_of_business=line_of_business)
        for kind in InquiryKind.values
        if kind in table.by_inquiry
    ]
    return table, routes


# -- numbers for letters and pages (not time-dependent) ------------------------------------
def _line_for(*, inquiry: str | None = None, line_key: str | None = None) -> ContactLine | None:
    if inquiry:
        item = ContactLineInquiry.objects.select_related("line").filter(inquiry=inquiry).first()
        return item.line if item else None
    if line_key:
        return ContactLine.objects.filter(key=line_key).first()
    raise TypeError("phone_for needs inquiry= or line_key=")


def phone_for(*, inquiry: str | None = None, line_key: str | None = None, line_of_business: str | None = None) -> str:
    """The number printed for an inquiry kind or a line key; "" when none is configured."""
    line = _line_for(inquiry=inquiry, line_key=line_key)
    if line is None:
        return ""
    return _phone(line, line_of_business)


def tty_for(*, inquiry: str = InquiryKind.MEMBER_SERVICES) -> str:
    line = _line_for(inquiry=inquiry)
    return line.tty if line else ""


def fax_for(*, line_key: str = "referral_fax") -> str:
    line = _line_for(line_key=line_key)
    return line.fax if line else ""


def letter_phones(*, line_of_business: str | None = None) -> dict[str, str]:
    """Every number a letter prints (see the module docstring for the keys)."""
    lines = list(ContactLine.objects.prefetch_related("alternate_phones", "inquiries"))
    by_inquiry = {item.inquiry: line for line in lines for item in line.inquiries.all()}
    by_key = {line.key: line for line in lines if line.key}
    result = {
        name: _phone(by_inquiry[kind], line_of_business) if kind in by_inquiry else ""
        for name, kind in LETTER_INQUIRIES.items()
    }
    member_line = by_inquiry.get(InquiryKind.MEMBER_SERVICES)
    result["tty"] = member_line.tty if member_line else ""
    for name, key in LETTER_LINE_KEYS.items():
        line = by_key.get(key)
        result[name] = (line.fax if name == "fax" else _phone(line, line_of_business)) if line else ""
    return result
