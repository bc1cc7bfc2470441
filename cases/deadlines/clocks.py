"""Decision clocks (RULES.md sections 1 and 2).

Two layers:
- a pure engine (`clocks_compute`, `due_add`, `extension_due`) over plain values: rule
  specifications, the case's facts and a set of holidays. No database, no "now".
- the adapter `case_clocks_compute(case=, information_received_at=None)`, which loads the
  turnaround rules in effect on the day of receipt and the plan's holidays and calls the
  engine. Every deadline in the portal comes from here; nobody computes one themselves.

Units, in settings.TIME_ZONE: hours are exact elapsed hours; calendar days end at
23:59:59 local on the Nth day after the day of receipt (day 0); business days end at
23:59:59 local on the Nth business day after the day of receipt (weekends, US federal
holidays as observed and plan closures are not business days).
"""

from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from um_portal import prepared

from .calendar import business_days_after, holiday_window, plan_holidays, plan_tz

END_OF_DAY = time(23, 59, 59)
HOURS, CALENDAR_DAYS, BUSINESS_DAYS = "hours", "calendar_days", "business_days"
UNIT_LABELS = {HOURS: "hours", CALENDAR_DAYS: "calendar days", BUSINESS_DAYS: "business days"}
EXPEDITED_PRE, STANDARD_PRE, CONCURRENT, POST = (
    "expedited_pre_service",
    "standard_pre_service",
    "concurrent",
    "post_service",
)
BEHAVIORAL_EMERGENCY_INPATIENT = "behavioral_emergency_inpatient"
ADDED_SERVICES = "added_services"
# Change requests that ask for more care (cases.models.ChangeKind): more units, later dates.
ADDED_SERVICE_CHANGES = frozenset({"add_units", "extend"})
RECEIVED, INFORMATION_RECEIVED = "received", "information_received"


@dataclass(frozen=True)
class PeriodSpec:
    situation: str
    amount: int
    unit: str
    line_of_business: str = ""
    condition: str = ""


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    periods: tuple[PeriodSpec, ...]
    lines_of_business: tuple[str, ...] = ()
    state: str = ""
    restarts_on_information: bool = False
    information_notice_days: int | None = None
    extension_amount: int | None = None
    extension_unit: str = ""
    extension_grounds: tuple[str, ...] = ()
    extension_for_expedited: bool = True

    def applies_to(self, line_of_business: str, state: str) -> bool:
        if self.lines_of_business and line_of_business not in self.lines_of_business:
            return False
        return not self.state or self.state == state

    def allows_extension(self, *, situation: str, ground: str) -> bool:
        if not self.extension_amount:
            return False
        if situation in (EXPEDITED_PRE, CONCURRENT) and not self.extension_for_expedited:
            return False
        return not self.extension_grounds or ground in self.extension_grounds


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks depend on, taken from the case."""

    received_at: datetime
    urgency: str
    review_type: str
    line_of_business: str
    state: str
    behavioral_emergency_inpatient: bool = False
    added_services: bool = False
    information_received_at: datetime | None = None
    extension_ground: str = ""


@dataclass
class Clock:
    rule: str
    name: str
    due_at: datetime
    started_by: str
    amount: int
    unit: str
    extended: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def allowed(self) -> str:
        return f"{self.amount} {UNIT_LABELS[self.unit]}"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "due_at": self.due_at.isoformat(),
            "started_by": self.started_by,
            "name": self.name,
            "allowed": self.allowed,
            "extended": self.extended,
        }


def situation_for(*, review_type: str, urgency: str) -> str:
    if review_type == "concurrent":
        return CONCURRENT
    if review_type == "retrospective":
        return POST
    return EXPEDITED_PRE if urgency == "expedited" else STANDARD_PRE


def period_for(rule: RuleSpec, *, situation: str, line_of_business: str, conditions: set[str]) -> PeriodSpec | None:
    """The rule's period for the situation: a row for a special condition or for the line
    of business wins over the general row."""
    best, best_score = None, -1
    for period in rule.periods:
        if period.situation != situation:
            continue
        if period.condition and period.condition not in conditions:
            continue
        if period.line_of_business and period.line_of_business != line_of_business:
            continue
        score = (2 if period.condition else 0) + (1 if period.line_of_business else 0)
        if score > best_score:
            best, best_score = period, score
    return best


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=tz)


def due_add(start: datetime, amount: int, unit: str, *, tz: ZoneInfo, holidays: Container[date]) -> datetime:
    """`start` plus the allowed time, in the rule's unit (module docstring)."""
    if unit == HOURS:
        # In UTC: adding to a local aware datetime would add wall-clock hours across DST.
        return (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(tz)
    day = start.astimezone(tz).date()
    if unit == CALENDAR_DAYS:
        return end_of_local_day(day + timedelta(days=amount), tz)
    if unit == BUSINESS_DAYS:
        return end_of_local_day(business_days_after(day, amount, holidays), tz)
    raise ValueError(f"Unknown time unit {unit!r}")


def clocks_compute(
    facts: ClockFacts, rules: Sequence[RuleSpec], *, tz: ZoneInfo, holidays: Container[date]
) -> list[Clock]:
    """Every applicable rule's clock, earliest first. Pure."""
    situation = situation_for(review_type=facts.review_type, urgency=facts.urgency)
    conditions = {BEHAVIORAL_EMERGENCY_INPATIENT} if facts.behavioral_emergency_inpatient else set()
    if facts.added_services:
        conditions.add(ADDED_SERVICES)
    clocks = []
    for rule in rules:
        if not rule.applies_to(facts.line_of_business, facts.state):
            continue
        period = period_for(rule, situation=situation, line_of_business=facts.line_of_business, conditions=conditions)
        if period is None:
            continue
        start, started_by = facts.received_at, RECEIVED
        if rule.restarts_on_information and facts.information_received_at:
            start, started_by = facts.information_received_at, INFORMATION_RECEIVED
        due = due_add(start, period.amount, period.unit, tz=tz, holidays=holidays)
        extended = False
        if facts.extension_ground and rule.allows_extension(situation=situation, ground=facts.extension_ground):
            due = due_add(due, rule.extension_amount, rule.extension_unit, tz=tz, holidays=holidays)
            extended = True
        clocks.append(Clock(rule.code, rule.name, due, started_by, period.amount, period.unit, extended))
    clocks.sort(key=lambda c: (c.due_at, c.rule))
    return clocks


def information_notice_due(
    facts: ClockFacts, rules: Sequence[RuleSpec], *, tz: ZoneInfo, holidays: Container[date]
) -> datetime | None:
    """Maryland: when the provider must have been told what is missing (earliest rule)."""
    dues = [
        due_add(facts.received_at, rule.information_notice_days, CALENDAR_DAYS, tz=tz, holidays=holidays)
        for rule in rules
        if rule.information_notice_days and rule.applies_to(facts.line_of_business, facts.state)
    ]
    return min(dues) if dues else None


def notice_deadlines(
    *,
    decision_due_at: datetime,
    rules_applied: Sequence[str],
    situation: str,
    line_of_business: str,
    decided_at: datetime | None,
    oral_notice_at: datetime | None = None,
    tz: ZoneInfo,
    holidays: Container[date],
) -> list[dict]:
    """When the decision notices are due (RULES.md section 2), per recipient. Pure.

    - Everywhere: with the decision deadline of the rule.
    - California: the requesting provider within 24 hours of the decision; the member in
      writing within 2 business days of the decision (H&S Code 1367.01(h)(3)).
    - MA expedited: an oral adverse notice is confirmed in writing within 3 calendar days.
    """
    due = [
        {"recipient": "member", "rule": "decision", "due_at": decision_due_at},
        {"recipient": "requesting_provider", "rule": "decision", "due_at": decision_due_at},
    ]
    if decided_at is not None and "ca_knox_keene" in rules_applied:
        due = [
            {
                "recipient": "requesting_provider",
                "rule": "ca_knox_keene",
                "due_at": due_add(decided_at, 24, HOURS, tz=tz, holidays=holidays),
            },
            {
                "recipient": "member",
                "rule": "ca_knox_keene",
                "due_at": due_add(decided_at, 2, BUSINESS_DAYS, tz=tz, holidays=holidays),
            },
        ]
    if oral_notice_at is not None and "cms_ma" in rules_applied and situation == EXPEDITED_PRE:
        due.append(
            {
                "recipient": "member",
                "rule": "cms_ma_oral_confirmation",
                "due_at": due_add(oral_notice_at, 3, CALENDAR_DAYS, tz=tz, holidays=holidays),
            }
        )
    return sorted(due, key=lambda d: d["due_at"])


# ---- Adapter: the database side -------------------------------------------------------


RULE_SPEC_FIELDS = (
    "code",
    "name",
    "lines_of_business",
    "state",
    "restarts_on_information",
    "information_notice_days",
    "extension_amount",
    "extension_unit",
    "extension_grounds",
    "extension_for_expedited",
)


def rules_in_effect(day: date) -> list[RuleSpec]:
    """The latest version of each turnaround rule in effect on `day`."""
    return clock_tables().rules_on(day)


def _rules_read(day: date) -> list[RuleSpec]:
    from django.db.models import Q

    from .models import TurnaroundRule

    # One read: each rule with its periods (a LEFT JOIN, one row per period; a rule without
    # periods comes once with empty period columns), newest version of each code first.
    period_fields = ("situation", "amount", "unit", "line_of_business", "condition")
    rows = (
        TurnaroundRule.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by(
            "code", "-effective_from", "id", "periods__situation", "periods__line_of_business", "periods__condition"
        )
        .values("id", *RULE_SPEC_FIELDS, *(f"periods__{f}" for f in period_fields), "periods__id")
    )
    by_rule: dict[int, dict] = {}
    periods: dict[int, list] = {}
    seen: dict[str, int] = {}
    for row in rows:
        if seen.setdefault(row["code"], row["id"]) != row["id"]:
            continue  # an older version of a rule already taken
        by_rule.setdefault(row["id"], row)
        periods.setdefault(row["id"], [])
        if row["periods__id"] is not None:
            periods[row["id"]].append(PeriodSpec(*(row[f"periods__{f}"] for f in period_fields)))
    specs = []
    for pk, rule in by_rule.items():
        specs.append(
            RuleSpec(
                code=rule["code"],
                name=rule["name"],
                periods=tuple(periods[pk]),
                lines_of_business=tuple(rule["lines_of_business"] or ()),
                state=rule["state"],
                restarts_on_information=rule["restarts_on_information"],
                information_notice_days=rule["information_notice_days"],
                extension_amount=rule["extension_amount"],
                extension_unit=rule["extension_unit"],
                extension_grounds=tuple(rule["extension_grounds"] or ()),
                extension_for_expedited=rule["extension_for_expedited"],
            )
        )
    return specs


def _saved(case) -> bool:
    return case.pk is not None and not case._state.adding


def case_facts(case, *, information_received_at: datetime | None = None, extension_ground: str | None = None):
    """The clock facts of a case (reads its coverage, diagnoses, last answered pend and
    extension where they exist)."""
    coverage = case.coverage
    line_of_business = coverage.line_of_business if coverage else ""
    state = (coverage.state if coverage else "") or case.member.state
    codes = getattr(case, "diagnosis_codes", None)
    if codes is None:
        codes = list(case.diagnoses.values_list("code", flat=True)) if _saved(case) else []
    behavioral = (
        case.urgency == "expedited"
        and case.service_category == "inpatient_admission"
        and any(code.upper().startswith("F") for code in codes)
    )
    if information_received_at is None and _saved(case):
        information_received_at = (
            case.pends.filter(responded_at__isnull=False)
            .order_by("-responded_at")
            .values_list("responded_at", flat=True)
        ).first()
    if extension_ground is None:
        extension_ground = ""
        if _saved(case):
            # The extension (reviews' row) is reached through its one-to-one back to the
            # case, as the pends are above: the clocks read review facts, never import them.
            try:
                extension_ground = case.extension.ground or ""
            except ObjectDoesNotExist:
                extension_ground = ""
    return ClockFacts(
        received_at=case.received_at,
        urgency=case.urgency,
        review_type=case.review_type,
        line_of_business=line_of_business,
        state=state,
        behavioral_emergency_inpatient=behavioral,
        added_services=getattr(case, "change_kind", "") in ADDED_SERVICE_CHANGES,
        information_received_at=information_received_at,
        extension_ground=extension_ground,
    )


def case_holidays(start: datetime) -> dict[date, str]:
    """The holidays and closures of the clock window starting at `start` (do not change it:
    it is kept for other cases, `clock_tables`)."""
    return clock_tables().holidays_from(start)


# ---- The rule and closure tables, kept in the process ----------------------------------

# A digest of every row of the turnaround rules, their periods and the plan closures (a few
# dozen small rows): any change an administrator makes, in any process, on any node, moves it.
_TABLES_STAMP_SQL = """
SELECT md5(concat_ws('|',
    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM reviews_turnaroundrule t),
    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM reviews_turnaroundperiod t),
    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM reviews_planclosure t)))
"""
_KEPT_DAYS = 32


class _ClockTables:
    """The rules in effect per day and the clock windows' holidays, read once per stamp."""

    def __init__(self, stamp: str | None):
        self.stamp = stamp
        self._rules: dict[date, list[RuleSpec]] = {}
        self._holidays: dict[date, dict[date, str]] = {}

    def rules_on(self, day: date) -> list[RuleSpec]:
        if day not in self._rules:
            if len(self._rules) >= _KEPT_DAYS:
                self._rules.clear()
            self._rules[day] = _rules_read(day)
        return self._rules[day]

    def holidays_from(self, start: datetime) -> dict[date, str]:
        day = timezone.localtime(start, plan_tz()).date()
        if day not in self._holidays:
            if len(self._holidays) >= _KEPT_DAYS:
                self._holidays.clear()
            self._holidays[day] = plan_holidays(*holiday_window(day))
        return self._holidays[day]


_kept = {"tables": _ClockTables(stamp=None)}


def clock_tables() -> _ClockTables:
    """The turnaround rules and plan closures as this process keeps them: every clock
    computation (each submit) needs them, and they change a few times a year. One small
    statement checks their digest; they are read again only when it moved (issue #13).
    SQLite (`make run`, one process) reads them every time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return _ClockTables(stamp=None)
    with connection.cursor() as cursor:
        prepared.execute(cursor, _TABLES_STAMP_SQL)
        (stamp,) = cursor.fetchone()
    if stamp != _kept["tables"].stamp:
        _kept["tables"] = _ClockTables(stamp=stamp)
    return _kept["tables"]


def case_clock_details(
    *, case, information_received_at: datetime | None = None, extension_ground: str | None = None
) -> tuple[list[Clock], datetime | None, ClockFacts]:
    """The case's clocks (earliest first), Maryland's information-notice deadline, facts."""
    tz = plan_tz()
    facts = case_facts(case, information_received_at=information_received_at, extension_ground=extension_ground)
    tables = clock_tables()
    rules = tables.rules_on(timezone.localtime(facts.received_at, tz).date())
    holidays = tables.holidays_from(min(facts.received_at, facts.information_received_at or facts.received_at))
    clocks = clocks_compute(facts, rules, tz=tz, holidays=holidays)
    return clocks, information_notice_due(facts, rules, tz=tz, holidays=holidays), facts


def case_clocks_compute(*, case, information_received_at: datetime | None = None) -> tuple[datetime, list[dict]]:
    """The case's decision due time (the earliest applicable rule) and the per-rule
    breakdown [{rule, due_at, started_by, name, allowed, extended}], earliest first.

    `information_received_at`: when a pend was answered; rules whose clock runs from receipt
    of the information (California, Maryland) restart from it. When not given, the case's
    last answered pend is used, so recomputing never loses a restart or an extension."""
    clocks, _notice, _facts = case_clock_details(case=case, information_received_at=information_received_at)
    if not clocks:
        raise RuntimeError("No turnaround rule applies; the NCQA rule applies to all cases and must be configured.")
    return clocks[0].due_at, [c.as_dict() for c in clocks]


def case_notice_deadlines(*, case, decided_at: datetime | None = None, oral_notice_at: datetime | None = None):
    """When the case's decision notices are due, per recipient, earliest first."""
    facts = case_facts(case)
    return notice_deadlines(
        decision_due_at=case.decision_due_at,
        rules_applied=[c["rule"] for c in case.clocks],
        situation=situation_for(review_type=case.review_type, urgency=case.urgency),
        line_of_business=facts.line_of_business,
        decided_at=decided_at,
        oral_notice_at=oral_notice_at,
        tz=plan_tz(),
        holidays=case_holidays(decided_at or case.received_at),
    )


def case_notice_due_compute(*, case, decided_at: datetime | None = None) -> datetime:
    """The earliest notice deadline: `notice_due_at` on the case."""
    return case_notice_deadlines(case=case, decided_at=decided_at)[0]["due_at"]


def fax_due_compute(*, received_at: datetime) -> datetime:
    """An unkeyed fax's clock (issue 18): a standard pre-service request received at
    `received_at`, before anyone knows its member, so only the rules for every line of
    business and state apply (the NCQA rule at least). Keying it sets the case's own."""
    tz = plan_tz()
    facts = ClockFacts(
        received_at=received_at,
        urgency="standard",
        review_type="prospective",
        line_of_business="",
        state="",
    )
    tables = clock_tables()
    rules = tables.rules_on(timezone.localtime(received_at, tz).date())
    clocks = clocks_compute(facts, rules, tz=tz, holidays=tables.holidays_from(received_at))
    if not clocks:
        raise RuntimeError("No turnaround rule applies; the NCQA rule applies to all cases and must be configured.")
    return clocks[0].due_at
