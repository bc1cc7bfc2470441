"""The yearly prior-authorization metrics the CMS Interoperability and Prior Authorization
final rule (CMS-0057-F; 42 CFR 422.122(c) for MA, 438.210(f) for Medicaid) asks payers
to publish: aggregate figures only, no PHI.
"""

from datetime import datetime, time
from statistics import median

from django.db.models import Count, Q

from cases.deadlines.calendar import plan_tz
from cases.models import AuthorizationRequest, CaseStatus, Urgency
from criteria.models import CriteriaCode


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(durations) -> dict:
    hours = [d.total_seconds() / 3600 for d in durations]
    if not hours:
        return {"average_hours": None, "median_hours": None}
    return {"average_hours": round(sum(hours) / len(hours), 1), "median_hours": round(median(hours), 1)}


def prior_authorization_metrics(*, year: int) -> dict:
    """Figures for requests received in `year` (plan time zone) and decided since."""
    tz = plan_tz()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    cases = AuthorizationRequest.objects.filter(
        kind=AuthorizationRequest.Kind.PRIOR_AUTHORIZATION, received_at__gte=start, received_at__lt=end
    )
    decided = cases.filter(decided_at__isnull=False)
    # Approved after appeal: a decided appeal overturned (in full or in part) the denial.
    overturned = Q(appeals__outcome__in=["overturned", "partially_overturned"])
    counts = decided.aggregate(
        standard=Count("pk", filter=Q(urgency=Urgency.STANDARD), distinct=True),
        standard_approved=Count(
            "pk",
            filter=Q(urgency=Urgency.STANDARD, status__in=[CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED])
            & ~overturned,
            distinct=True,
        ),
        standard_denied=Count("pk", filter=Q(urgency=Urgency.STANDARD, status=CaseStatus.DENIED), distinct=True),
        standard_approved_after_appeal=Count("pk", filter=Q(urgency=Urgency.STANDARD) & overturned, distinct=True),
        expedited=Count("pk", filter=Q(urgency=Urgency.EXPEDITED), distinct=True),
        expedited_approved=Count(
            "pk",
            filter=Q(urgency=Urgency.EXPEDITED, status__in=[CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED]),
            distinct=True,
        ),
        expedited_denied=Count("pk", filter=Q(urgency=Urgency.EXPEDITED, status=CaseStatus.DENIED), distinct=True),
        extended=Count("pk", filter=Q(extension__isnull=False), distinct=True),
        extended_approved=Count(
            "pk",
            filter=Q(extension__isnull=False, status__in=[CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED]),
            distinct=True,
        ),
    )
    total_decided = counts["standard"] + counts["expedited"]
    timing = {
        urgency: _hours(
            end_at - start_at
            for start_at, end_at in decided.filter(urgency=urgency).values_list("received_at", "decided_at")
        )
        for urgency in (Urgency.STANDARD, Urgency.EXPEDITED)
    }
    items = sorted(
        {
            f"{system} {code}".strip()
            for system, code in CriteriaCode.objects.exclude(code="").values_list("code_system", "code")
        }
    )
    return {
        "year": year,
        "items_requiring_prior_authorization": items,
        "requests_received": cases.count(),
        "requests_decided": total_decided,
        "standard": {
            "decided": counts["standard"],
            "approved_percent": _percent(counts["standard_approved"], counts["standard"]),
            "denied_percent": _percent(counts["standard_denied"], counts["standard"]),
            "approved_after_appeal_percent": _percent(counts["standard_approved_after_appeal"], counts["standard"]),
            **timing[Urgency.STANDARD],
        },
        "expedited": {
            "decided": counts["expedited"],
            "approved_percent": _percent(counts["expedited_approved"], counts["expedited"]),
            "denied_percent": _percent(counts["expedited_denied"], counts["expedited"]),
            **timing[Urgency.EXPEDITED],
        },
        "extended_and_approved_percent": _percent(counts["extended_approved"], total_decided),
    }
