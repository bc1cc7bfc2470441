"""Automation figures for the reports: the share of requests approved by a rule, by rule,
line of business and month, and receipt-to-decision time for rule versus human decisions.
Aggregates only, no PHI."""

from datetime import datetime, time
from statistics import median
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from cases.models import AuthorizationRequest

AUTO = Q(rule_evaluation__outcome="approved")


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _seconds(durations) -> dict:
    values = sorted(d.total_seconds() for d in durations)
    if not values:
        return {"decided": 0, "median_seconds": None, "p95_seconds": None}
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return {"decided": len(values), "median_seconds": round(median(values), 3), "p95_seconds": round(p95, 3)}


def auto_approval_metrics(*, year: int) -> dict:
    """Requests received in `year` (plan time zone). Four queries."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    cases = AuthorizationRequest.objects.filter(
        kind=AuthorizationRequest.Kind.PRIOR_AUTHORIZATION, received_at__gte=start, received_at__lt=end
    )
    total = cases.count()
    by_month = (
        cases.annotate(month=TruncMonth("received_at", tzinfo=tz))
        .values("month")
        .annotate(received=Count("pk"), auto=Count("pk", filter=AUTO))
        .order_by("month")
    )
    by_lob = (
        cases.values(lob=F("coverage__line_of_business"))
        .annotate(received=Count("pk"), auto=Count("pk", filter=AUTO))
        .order_by("lob")
    )
    by_rule = (
        cases.filter(AUTO)
        .values(rule=F("rule_evaluation__matched_version__rule__name"))
        .annotate(auto=Count("pk"))
        .order_by("rule")
    )
    decided = cases.filter(decided_at__isnull=False).values_list(
        "received_at", "decided_at", "rule_evaluation__outcome"
    )
    auto_times, human_times = [], []
    for received_at, decided_at, outcome in decided:
        (auto_times if outcome == "approved" else human_times).append(decided_at - received_at)
    auto_total = sum(row["auto"] for row in by_rule)
    return {
        "year": year,
        "requests_received": total,
        "auto_approved": auto_total,
        "auto_approved_percent": _percent(auto_total, total),
        "by_month": [
            {
                "month": row["month"].strftime("%Y-%m"),
                "received": row["received"],
                "auto_approved": row["auto"],
                "auto_approved_percent": _percent(row["auto"], row["received"]),
            }
            for row in by_month
        ],
        "by_line_of_business": [
            {
                "line_of_business": row["lob"] or "",
                "received": row["received"],
                "auto_approved": row["auto"],
                "auto_approved_percent": _percent(row["auto"], row["received"]),
            }
            for row in by_lob
        ],
        "by_rule": [
            {
                "rule": row["rule"],
                "auto_approved": row["auto"],
                "share_of_received_percent": _percent(row["auto"], total),
            }
            for row in by_rule
        ],
        "receipt_to_decision": {"auto": _seconds(auto_times), "human": _seconds(human_times)},
    }
