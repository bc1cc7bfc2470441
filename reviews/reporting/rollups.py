"""Daily and monthly rollups of the case figures, rebuilt whole per plan-local day.

- `day_figures(day)` counts one day straight from the cases (indexed by time), and is
  also what the dashboard uses for today's partial day.
- `rollup_days_rebuild(days=...)` replaces the stored rows of those days (and the months
  they fall in) with `day_figures`: run it twice and nothing changes.
- `rollup_refresh()` reads the case event log past a watermark and rebuilds only the days
  those cases touched: incremental, and it catches up after an outage by itself.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.deadlines.calendar import plan_tz
from cases.models import AuthorizationRequest, CaseEvent
from reviews.models import (
    Appeal,
    CaseDayRollup,
    CaseMonthRollup,
    Decision,
    Pend,
    ReviewerDayRollup,
    RollupWatermark,
)
from reviews.models_reporting import DECISION_TIME_BUCKETS_MINUTES, empty_histogram

DIMENSIONS = ("line_of_business", "state", "service_category", "urgency", "rule", "contract")
COUNTERS = (
    "received", "decided", "decided_on_time", "approved", "partially_approved", "denied", "auto_decided",
    "decision_seconds_human", "decision_seconds_auto", "pends_opened", "pends_answered", "pend_seconds",
    "appeals_decided", "appeals_overturned",
)  # fmt: skip
HISTOGRAMS = ("decision_hist_human", "decision_hist_auto")
OVERTURNED = (Appeal.Outcome.OVERTURNED, Appeal.Outcome.PARTIALLY_OVERTURNED)
WATERMARK = "case_rollups"
EVENT_BATCH = 5000


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = plan_tz()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def local_day(at: datetime) -> date:
    return timezone.localtime(at, plan_tz()).date()


def _case_dimensions(prefix: str = "") -> dict:
    """The case's dimensions as annotations (`prefix` reaches the case from a related row)."""
    return {
        "d_line_of_business": Coalesce(F(f"{prefix}coverage__line_of_business"), Value("")),
        "d_state": Coalesce(F(f"{prefix}coverage__state"), Value("")),
        "d_service_category": F(f"{prefix}service_category"),
        "d_urgency": F(f"{prefix}urgency"),
        "d_rule": Coalesce(
            KeyTextTransform("rule", KeyTransform(0, f"{prefix}clocks")), Value(""), output_field=CharField()
        ),
        "d_contract": Coalesce(F(f"{prefix}coverage__contract__number"), Value("")),
    }


def _key(row: dict) -> tuple:
    return tuple(row[f"d_{name}"] for name in DIMENSIONS)


def bucket_index(seconds: float) -> int:
    return bisect_left(DECISION_TIME_BUCKETS_MINUTES, seconds / 60)


def initial_decisions():
    """Each case's first decision (later ones are revisions or appeal outcomes)."""
    earlier = Decision.objects.filter(case=OuterRef("case"), decided_at__lt=OuterRef("decided_at"))
    return Decision.objects.filter(~Exists(earlier))


def _blank() -> dict:
    return {**dict.fromkeys(COUNTERS, 0), **{h: empty_histogram() for h in HISTOGRAMS}}


def day_figures(day: date) -> tuple[dict[tuple, dict], dict[int, int]]:
    """({dimensions: counters}, {reviewer id: decisions}) for one plan-local day."""
    start, end = day_bounds(day)
    rows: dict[tuple, dict] = defaultdict(_blank)

    received = (
        AuthorizationRequest.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(**_case_dimensions())
        .values(*[f"d_{d}" for d in DIMENSIONS])
    )
    for row in received:
        rows[_key(row)]["received"] += 1

    decisions = (
        initial_decisions()
        .filter(decided_at__gte=start, decided_at__lt=end)
        .annotate(**_case_dimensions("case__"))
        .values(
            *[f"d_{d}" for d in DIMENSIONS],
            "automated",
            "outcome",
            "decided_at",
            "case__received_at",
            "case__decision_due_at",
        )
    )
    for row in decisions:
        figures = rows[_key(row)]
        figures["decided"] += 1
        figures["decided_on_time"] += row["decided_at"] <= row["case__decision_due_at"]
        figures[row["outcome"]] += 1
        seconds = max(0, int((row["decided_at"] - row["case__received_at"]).total_seconds()))
        kind = "auto" if row["automated"] else "human"
        figures["auto_decided"] += kind == "auto"
        figures[f"decision_seconds_{kind}"] += seconds
        figures[f"decision_hist_{kind}"][bucket_index(seconds)] += 1

    pends_opened = (
        Pend.objects.filter(requested_at__gte=start, requested_at__lt=end)
        .annotate(**_case_dimensions("case__"))
        .values(*[f"d_{d}" for d in DIMENSIONS])
    )
    for row in pends_opened:
        rows[_key(row)]["pends_opened"] += 1
    pends_answered = (
        Pend.objects.filter(responded_at__gte=start, responded_at__lt=end)
        .annotate(**_case_dimensions("case__"))
        .values(*[f"d_{d}" for d in DIMENSIONS], "requested_at", "responded_at")
    )
    for row in pends_answered:
        figures = rows[_key(row)]
        figures["pends_answered"] += 1
        figures["pend_seconds"] += max(0, int((row["responded_at"] - row["requested_at"]).total_seconds()))

    appeals = (
        Appeal.objects.filter(decided_at__gte=start, decided_at__lt=end)
        .annotate(**_case_dimensions("case__"))
        .values(*[f"d_{d}" for d in DIMENSIONS], "outcome")
    )
    for row in appeals:
        figures = rows[_key(row)]
        figures["appeals_decided"] += 1
        figures["appeals_overturned"] += row["outcome"] in OVERTURNED

    reviewers: dict[int, int] = defaultdict(int)
    for reviewer_id in Decision.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list(
        "decided_by_id", flat=True
    ):
        reviewers[reviewer_id] += 1
    return dict(rows), dict(reviewers)


def _month_rebuild(month: date) -> None:
    next_month = (month + timedelta(days=32)).replace(day=1)
    sums: dict[tuple, dict] = {}
    for row in CaseDayRollup.objects.filter(day__gte=month, day__lt=next_month).values(
        *DIMENSIONS, *COUNTERS, *HISTOGRAMS
    ):
        key = tuple(row[d] for d in DIMENSIONS)
        target = sums.setdefault(key, _blank())
        for name in COUNTERS:
            target[name] += row[name]
        for name in HISTOGRAMS:
            target[name] = [a + b for a, b in zip(target[name], row[name], strict=True)]
    CaseMonthRollup.objects.filter(month=month).delete()
    CaseMonthRollup.objects.bulk_create(
        CaseMonthRollup(month=month, **dict(zip(DIMENSIONS, key, strict=True)), **figures)
        for key, figures in sums.items()
    )


def rollup_days_rebuild(*, days: Iterable[date]) -> int:
    """Replace the stored figures of these days (and of their months). Returns days rebuilt."""
    days = sorted(set(days))
    with transaction.atomic():
        # One refresh at a time: the watermark row is the lock.
        RollupWatermark.objects.get_or_create(name=WATERMARK)
        RollupWatermark.objects.select_for_update().get(name=WATERMARK)
        for day in days:
            rows, reviewers = day_figures(day)
            CaseDayRollup.objects.filter(day=day).delete()
            CaseDayRollup.objects.bulk_create(
                CaseDayRollup(day=day, **dict(zip(DIMENSIONS, key, strict=True)), **figures)
                for key, figures in rows.items()
            )
            ReviewerDayRollup.objects.filter(day=day).delete()
            ReviewerDayRollup.objects.bulk_create(
                ReviewerDayRollup(day=day, reviewer_id=reviewer_id, decided=count)
                for reviewer_id, count in reviewers.items()
            )
        for month in sorted({day.replace(day=1) for day in days}):
            _month_rebuild(month)
    return len(days)


def _days_touched(case_ids: set) -> set[date]:
    """Every day on which these cases count toward a figure."""
    moments: list[datetime] = []
    moments += AuthorizationRequest.objects.filter(pk__in=case_ids).values_list("received_at", flat=True)
    moments += Decision.objects.filter(case_id__in=case_ids).values_list("decided_at", flat=True)
    for requested_at, responded_at in Pend.objects.filter(case_id__in=case_ids).values_list(
        "requested_at", "responded_at"
    ):
        moments += [m for m in (requested_at, responded_at) if m]
    moments += Appeal.objects.filter(case_id__in=case_ids, decided_at__isnull=False).values_list(
        "decided_at", flat=True
    )
    return {local_day(m) for m in moments}


def rollup_refresh(*, batch: int = EVENT_BATCH) -> int:
    """Rebuild the days touched by case events since the last run. Returns days rebuilt."""
    rebuilt = 0
    while True:
        with transaction.atomic():
            mark, _ = RollupWatermark.objects.get_or_create(name=WATERMARK)
            mark = RollupWatermark.objects.select_for_update().get(name=WATERMARK)
            events = list(
                CaseEvent.objects.filter(pk__gt=mark.last_event_id).order_by("pk").values_list("pk", "case_id")[:batch]
            )
            if not events:
                mark.refreshed_at = timezone.now()
                mark.save(update_fields=["refreshed_at"])
                return rebuilt
            days = _days_touched({case_id for _, case_id in events})
            rebuilt += rollup_days_rebuild(days=days)
            mark.last_event_id = events[-1][0]
            mark.refreshed_at = timezone.now()
            mark.save(update_fields=["last_event_id", "refreshed_at"])


def rollup_rebuild_all() -> int:
    """Rebuild every day from the first receipt to today (management command)."""
    first = AuthorizationRequest.objects.order_by("received_at").values_list("received_at", flat=True).first()
    if first is None:
        return 0
    # Events after this one are left to the next refresh, which rebuilds their days again.
    last_event = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start, today = local_day(first), timezone.localdate(timezone=plan_tz())
    CaseDayRollup.objects.filter(day__lt=start).delete()
    rebuilt = 0
    day = start
    while day <= today:
        chunk = [day + timedelta(days=i) for i in range(31) if day + timedelta(days=i) <= today]
        rebuilt += rollup_days_rebuild(days=chunk)
        day = chunk[-1] + timedelta(days=1)
    RollupWatermark.objects.filter(name=WATERMARK).update(last_event_id=last_event, refreshed_at=timezone.now())
    return rebuilt
