"""The yearly prior-authorization metrics the CMS Interoperability and Prior Authorization
final rule (CMS-0057-F; 42 CFR 422.122(c) for MA, 438.210(f) for Medicaid) asks payers
to publish: aggregate figures only, no PHI.
"""

from datetime import datetime, time
from statistics import median

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cases.deadlines.calendar import plan_tz
from cases.models import AuthorizationRequest, CaseStatus, PlanContract, ServiceLine, Urgency
from criteria.models import CriteriaCode
from reviews.models import PublishedMetrics


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(durations) -> dict:
    hours = [d.total_seconds() / 3600 for d in durations]
    if not hours:
        return {"average_hours": None, "median_hours": None}
    return {"average_hours": round(sum(hours) / len(hours), 1), "median_hours": round(median(hours), 1)}


def _drug_line():
    """HCPCS J-codes are drugs; the CMS-0057-F metrics exclude drugs of any type."""
    return Q(code_system=ServiceLine.CodeSystem.HCPCS, code__startswith="J")


def prior_authorization_metrics(*, year: int, contract: str = "") -> dict:
    """Figures for requests received in `year` (plan time zone) and decided since, for one
    MA contract or Medicaid/CHIP/exchange plan (`contract`, its number) or for all.
    A request for drugs only is left out (CMS-0057-F excludes drugs)."""
    tz = plan_tz()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    cases = AuthorizationRequest.objects.filter(
        kind=AuthorizationRequest.Kind.PRIOR_AUTHORIZATION, received_at__gte=start, received_at__lt=end
    ).filter(Exists(ServiceLine.objects.filter(case=OuterRef("pk")).exclude(_drug_line())))
    if contract:
        cases = cases.filter(coverage__contract__number=contract)
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
            if not (system == ServiceLine.CodeSystem.HCPCS and code.startswith("J"))
        }
    )
    return {
        "year": year,
        "contract": contract,
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


def publication_is_final(*, year: int, today) -> bool:
    """A year's figures are posted by March 31 of the next year (42 CFR 422.122(c)) and
    stay as posted from then on."""
    return today > datetime(year + 1, 3, 31).date()


def metrics_publish(*, year: int, force: bool = False) -> int:
    """Compute and store the year's figures for every contract and for all together.
    Final years are left as posted unless `force`. Returns the number of reports stored."""
    today = timezone.localdate()
    if publication_is_final(year=year, today=today) and not force:
        if PublishedMetrics.objects.filter(year=year).exists():
            return 0
    stored = 0
    for number in ["", *PlanContract.objects.values_list("number", flat=True)]:
        figures = prior_authorization_metrics(year=year, contract=number)
        with transaction.atomic():
            PublishedMetrics.objects.update_or_create(
                year=year, contract=number, defaults={"figures": figures, "computed_at": timezone.now()}
            )
        stored += 1
    return stored


def published_metrics(*, year: int, contract: str = "") -> PublishedMetrics | None:
    """The stored figures; a year never computed is computed once here (then by the task)."""
    found = PublishedMetrics.objects.filter(year=year, contract=contract).first()
    if found is None and (not contract or PlanContract.objects.filter(number=contract).exists()):
        PublishedMetrics.objects.update_or_create(
            year=year,
            contract=contract,
            defaults={
                "figures": prior_authorization_metrics(year=year, contract=contract),
                "computed_at": timezone.now(),
            },
        )
        found = PublishedMetrics.objects.get(year=year, contract=contract)
    return found
