"""The operations dashboard's figures (selectors): stored rollups for past days, months
where whole, today's partial day counted live, open cases live. No PHI, no per-person
denial figures (DESIGN.md rule 7): reviewers appear only with their workload."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from cases.deadlines.calendar import plan_tz
from cases.models import OPEN_STATUSES, AuthorizationRequest, LineOfBusiness, ServiceCategory, Urgency
from reviews.models import CaseDayRollup, CaseMonthRollup, ReviewerDayRollup
from reviews.models_reporting import DECISION_TIME_BUCKETS_MINUTES
from um_portal.models import User

from .faxes import fax_figures
from .referrals import referral_figures
from .rollups import COUNTERS, DIMENSIONS, HISTOGRAMS, day_figures

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 5 + 1  # five years of history
DAILY_SERIES_MAX_DAYS = 92  # longer periods chart per month
HEATMAP_DAYS = 14
TIME_LEFT_BUCKETS = (
    ("overdue", "Overdue", None, 0),
    ("under_1_day", "Under 1 day", 0, 24),
    ("1_to_3_days", "1 to 3 days", 24, 72),
    ("3_to_7_days", "3 to 7 days", 72, 168),
    ("over_7_days", "More than 7 days", 168, None),
)


@dataclass
class DashboardFilters:
    start: date
    end: date
    line_of_business: str = ""
    state: str = ""
    service_category: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> DashboardFilters:
        today = timezone.localdate(timezone=plan_tz())
        errors = []

        def parse(name, default):
            raw = (params.get(name) or "").strip()
            if not raw:
                return default
            try:
                return date.fromisoformat(raw)
            except ValueError:
                errors.append(f"{name.title()} date must look like 2026-11-30.")
                return default

        end = parse("end", today)
        start = parse("start", end - timedelta(days=DEFAULT_DAYS - 1))
        if start > end:
            errors.append("The start date must be on or before the end date.")
            start = end - timedelta(days=DEFAULT_DAYS - 1)
        if (end - start).days >= MAX_DAYS:
            errors.append("The dashboard covers at most five years at a time.")
            start = end - timedelta(days=MAX_DAYS - 1)
        lob = params.get("line_of_business", "")
        if lob and lob not in LineOfBusiness.values:
            errors.append("Unknown line of business.")
            lob = ""
        category = params.get("service_category", "")
        if category and category not in ServiceCategory.values:
            errors.append("Unknown service category.")
            category = ""
        state = (params.get("state") or "").strip().upper()
        if state and (len(state) != 2 or not state.isascii() or not state.isalpha()):
            errors.append("State must be a two-letter code.")
            state = ""
        return cls(start, end, lob, state, category, errors)

    def dimension_q(self, prefix: str = "") -> Q:
        q = Q()
        for name in ("line_of_business", "state", "service_category"):
            if value := getattr(self, name):
                q &= Q(**{f"{prefix}{name}": value})
        return q

    def case_q(self) -> Q:
        q = Q()
        if self.line_of_business:
            q &= Q(coverage__line_of_business=self.line_of_business)
        if self.state:
            q &= Q(coverage__state=self.state)
        if self.service_category:
            q &= Q(service_category=self.service_category)
        return q

    def matches(self, key: tuple) -> bool:
        values = dict(zip(DIMENSIONS, key, strict=True))
        return all(
            not getattr(self, name) or values[name] == getattr(self, name)
            for name in ("line_of_business", "state", "service_category")
        )


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def today_figures(filters: DashboardFilters) -> tuple[dict, dict] | None:
    """Today's partial day counted live from the cases (None when outside the period)."""
    today = timezone.localdate(timezone=plan_tz())
    return day_figures(today) if filters.start <= today <= filters.end else None


def period_rows(filters: DashboardFilters, live: tuple[dict, dict] | None):
    """(period start, dimensions, figures) for the whole filtered period: stored months
    where the period covers them whole, stored days elsewhere, today (`live`) counted live."""
    today = timezone.localdate(timezone=plan_tz())
    stored_end = min(filters.end, today - timedelta(days=1))
    fields = (*DIMENSIONS, *COUNTERS, *HISTOGRAMS)
    whole_months, loose_days = [], []
    day = filters.start
    while day <= stored_end:
        month_end = _next_month(day) - timedelta(days=1)
        if day == _month_start(day) and month_end <= stored_end:
            whole_months.append(day)
            day = month_end + timedelta(days=1)
        else:
            loose_days.append(day)
            day += timedelta(days=1)
    if whole_months:
        for row in CaseMonthRollup.objects.filter(filters.dimension_q(), month__in=whole_months).values(
            "month", *fields
        ):
            yield row.pop("month"), row
    if loose_days:
        for row in CaseDayRollup.objects.filter(filters.dimension_q(), day__in=loose_days).values("day", *fields):
            yield row.pop("day"), row
    if live is not None:
        for key, figures in live[0].items():
            if filters.matches(key):
                yield today, {**dict(zip(DIMENSIONS, key, strict=True)), **figures}


def _percent(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def histogram_percentile(histogram: list[int], q: float) -> float | None:
    """Estimated hours below which `q` of the decisions fall (linear within a bucket)."""
    total = sum(histogram)
    if not total:
        return None
    target, seen = q * total, 0
    bounds = (0, *DECISION_TIME_BUCKETS_MINUTES)
    for index, count in enumerate(histogram):
        if count and seen + count >= target:
            if index >= len(DECISION_TIME_BUCKETS_MINUTES):
                return round(DECISION_TIME_BUCKETS_MINUTES[-1] / 60, 1)  # "longer than": the floor
            low, high = bounds[index], bounds[index + 1]
            return round((low + (high - low) * (target - seen) / count) / 60, 1)
        seen += count
    return None


class Tally:
    """Sums of the rollup counters for one group."""

    def __init__(self):
        self.figures = dict.fromkeys(COUNTERS, 0)
        self.hist = {name: [0] * (len(DECISION_TIME_BUCKETS_MINUTES) + 1) for name in HISTOGRAMS}

    def add(self, row: dict) -> None:
        for name in COUNTERS:
            self.figures[name] += row[name]
        for name in HISTOGRAMS:
            self.hist[name] = [a + b for a, b in zip(self.hist[name], row[name], strict=True)]

    def summary(self) -> dict:
        f = self.figures
        human = f["decided"] - f["auto_decided"]
        return {
            **f,
            "on_time_percent": _percent(f["decided_on_time"], f["decided"]),
            "approved_percent": _percent(f["approved"], f["decided"]),
            "partially_approved_percent": _percent(f["partially_approved"], f["decided"]),
            "denied_percent": _percent(f["denied"], f["decided"]),
            "pend_rate_percent": _percent(f["pends_opened"], f["received"]),
            "average_pend_hours": round(f["pend_seconds"] / f["pends_answered"] / 3600, 1)
            if f["pends_answered"]
            else None,
            "appeal_overturn_percent": _percent(f["appeals_overturned"], f["appeals_decided"]),
            "auto_percent": _percent(f["auto_decided"], f["decided"]),
            "human_median_hours": histogram_percentile(self.hist["decision_hist_human"], 0.5),
            "human_p90_hours": histogram_percentile(self.hist["decision_hist_human"], 0.9),
            "human_average_hours": round(f["decision_seconds_human"] / human / 3600, 1) if human else None,
            "auto_median_hours": histogram_percentile(self.hist["decision_hist_auto"], 0.5),
            "auto_p90_hours": histogram_percentile(self.hist["decision_hist_auto"], 0.9),
            "auto_average_hours": round(f["decision_seconds_auto"] / f["auto_decided"] / 3600, 1)
            if f["auto_decided"]
            else None,
        }


def _open_cases(filters: DashboardFilters):
    return AuthorizationRequest.objects.filter(filters.case_q(), status__in=OPEN_STATUSES)


def open_by_time_left(filters: DashboardFilters, *, now: datetime) -> list[dict]:
    conditions = {}
    for key, _label, low, high in TIME_LEFT_BUCKETS:
        q = Q()
        if low is not None:
            q &= Q(decision_due_at__gte=now + timedelta(hours=low))
        if high is not None:
            q &= Q(decision_due_at__lt=now + timedelta(hours=high))
        for urgency in Urgency.values:
            conditions[f"{key}__{urgency}"] = Count("pk", filter=q & Q(urgency=urgency))
    counts = _open_cases(filters).aggregate(**conditions)
    return [
        {
            "key": key,
            "label": label,
            **{urgency: counts[f"{key}__{urgency}"] for urgency in Urgency.values},
            "total": sum(counts[f"{key}__{urgency}"] for urgency in Urgency.values),
        }
        for key, label, _low, _high in TIME_LEFT_BUCKETS
    ]


def deadline_heatmap(filters: DashboardFilters, *, now: datetime) -> dict:
    """Open cases due per plan-local day (next two weeks) and hour: where the load falls."""
    tz = plan_tz()
    first_day = timezone.localtime(now, tz).date()
    end = datetime.combine(first_day + timedelta(days=HEATMAP_DAYS), datetime.min.time(), tzinfo=tz)
    cells = defaultdict(int)
    rows = (
        _open_cases(filters)
        .filter(decision_due_at__gte=now, decision_due_at__lt=end)
        .annotate(hour=TruncHour("decision_due_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        local = timezone.localtime(row["hour"], tz)
        cells[(local.date(), local.hour)] += row["n"]
    days = [first_day + timedelta(days=i) for i in range(HEATMAP_DAYS)]
    return {
        "days": days,
        "hours": list(range(24)),
        "grid": [[cells[(day, hour)] for hour in range(24)] for day in days],
        "max": max(cells.values(), default=0),
    }


def reviewer_workload(filters: DashboardFilters, live: tuple[dict, dict] | None) -> list[dict]:
    open_counts = dict(
        _open_cases(filters)
        .filter(assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
        .values_list("assigned_to", "n")
    )
    days = (filters.end - filters.start).days + 1
    today = timezone.localdate(timezone=plan_tz())
    decided = defaultdict(
        int,
        ReviewerDayRollup.objects.filter(day__gte=filters.start, day__lte=filters.end, day__lt=today)
        .values_list("reviewer")
        .annotate(n=Sum("decided"))
        .values_list("reviewer", "n"),
    )
    for reviewer_id, count in (live[1] if live else {}).items():
        decided[reviewer_id] += count
    ids = set(open_counts) | set(decided)
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).only("pk", "username", "first_name", "last_name")}
    result = [
        {
            "reviewer": people[pk].get_full_name() or people[pk].username,
            "open": open_counts.get(pk, 0),
            "decided": decided.get(pk, 0),
            "decided_per_day": round(decided.get(pk, 0) / days, 1),
        }
        for pk in ids
        if pk in people
    ]
    return sorted(result, key=lambda r: (-r["open"], r["reviewer"]))


def dashboard_figures(filters: DashboardFilters) -> dict:
    now = timezone.now()
    total = Tally()
    by = {name: defaultdict(Tally) for name in ("rule", "line_of_business", "urgency", "month")}
    series = defaultdict(lambda: {"received": 0, "decided": 0})
    daily = (filters.end - filters.start).days + 1 <= DAILY_SERIES_MAX_DAYS
    live = today_figures(filters)
    for period, row in period_rows(filters, live):
        total.add(row)
        for name in ("rule", "line_of_business", "urgency"):
            by[name][row[name] or "(none)"].add(row)
        by["month"][period.replace(day=1)].add(row)
        bucket = period if daily else period.replace(day=1)
        series[bucket]["received"] += row["received"]
        series[bucket]["decided"] += row["decided"]
    if daily:
        # Whole months read from the monthly table come back as one point: spread no
        # figures, ask the daily table for them instead.
        series = _daily_series(filters, live)
    return {
        "filters": filters,
        "now": now,
        "totals": total.summary(),
        "timeliness": {
            name: [{"key": key, **tally.summary()} for key, tally in sorted(groups.items(), key=lambda kv: str(kv[0]))]
            for name, groups in by.items()
        },
        "volume": [{"period": key, **value} for key, value in sorted(series.items())],
        "volume_unit": "day" if daily else "month",
        "open_by_time_left": open_by_time_left(filters, now=now),
        "heatmap": deadline_heatmap(filters, now=now),
        "workload": reviewer_workload(filters, live),
        # Referral management (issue 20, item 4): redirections and out-of-network approvals.
        "referrals": referral_figures(filters),
        # Fax intake (issue 18, item 4): time from receipt to keyed, OCR field accuracy.
        "faxes": fax_figures(filters),
    }


def _daily_series(filters: DashboardFilters, live: tuple[dict, dict] | None) -> dict:
    today = timezone.localdate(timezone=plan_tz())
    series = {
        filters.start + timedelta(days=i): {"received": 0, "decided": 0}
        for i in range((filters.end - filters.start).days + 1)
    }
    rows = (
        CaseDayRollup.objects.filter(filters.dimension_q(), day__gte=filters.start, day__lte=filters.end, day__lt=today)
        .values("day")
        .annotate(received=Sum("received"), decided=Sum("decided"))
    )
    for row in rows:
        series[row["day"]] = {"received": row["received"], "decided": row["decided"]}
    if live is not None:
        series[today] = {
            "received": sum(f["received"] for k, f in live[0].items() if filters.matches(k)),
            "decided": sum(f["decided"] for k, f in live[0].items() if filters.matches(k)),
        }
    return series
