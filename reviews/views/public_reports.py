"""The public CMS-0057-F prior-authorization report (no login): per calendar year, for
all lines together and per Medicare Advantage contract or Medicaid/CHIP/exchange plan, as
a page and as CSV. Aggregates only; read from the stored figures, never computed for
each anonymous visitor."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.models import PlanContract
from um_portal.exceptions import NotFound, ValidationFailed

from ..reporting.public import published_metrics

FIRST_YEAR = 2026  # CMS-0057-F: first reports posted by March 31, 2026 for 2025; the portal starts in 2026.

ROWS = [
    ("standard", "approved_percent", "Standard requests approved (%)"),
    ("standard", "denied_percent", "Standard requests denied (%)"),
    ("standard", "approved_after_appeal_percent", "Standard requests approved after appeal (%)"),
    ("", "extended_and_approved_percent", "Requests approved after the decision time was extended (%)"),
    ("expedited", "approved_percent", "Expedited requests approved (%)"),
    ("expedited", "denied_percent", "Expedited requests denied (%)"),
    ("standard", "average_hours", "Standard requests: average hours from receipt to decision"),
    ("standard", "median_hours", "Standard requests: median hours from receipt to decision"),
    ("expedited", "average_hours", "Expedited requests: average hours from receipt to decision"),
    ("expedited", "median_hours", "Expedited requests: median hours from receipt to decision"),
]


def _choice(request) -> tuple[int, str, PlanContract | None]:
    this_year = timezone.localdate().year
    raw_year = request.GET.get("year") or str(this_year - 1 if this_year > FIRST_YEAR else this_year)
    if not raw_year.isascii() or not raw_year.isdigit() or not FIRST_YEAR <= int(raw_year) <= this_year:
        raise ValidationFailed(f"Choose a year from {FIRST_YEAR} to {this_year}.")
    contract_number = request.GET.get("contract", "")
    contract = None
    if contract_number:
        contract = PlanContract.objects.filter(number=contract_number).first()
        if contract is None:
            raise NotFound("There is no contract or plan with that number.")
    return int(raw_year), contract_number, contract


def _rows(figures: dict) -> list[tuple[str, object]]:
    return [(label, (figures.get(group) or {}).get(key) if group else figures.get(key)) for group, key, label in ROWS]


def prior_authorization_report(request):
    year, number, contract = _choice(request)
    published = published_metrics(year=year, contract=number)
    figures = published.figures
    this_year = timezone.localdate().year
    return render(
        request,
        "reviews/public_metrics.html",
        {
            "year": year,
            "years": list(range(this_year, FIRST_YEAR - 1, -1)),
            "contract": contract,
            "contracts": PlanContract.objects.all(),
            "figures": figures,
            "rows": _rows(figures),
            "computed_at": published.computed_at,
            "final": year < this_year,
        },
    )


def prior_authorization_report_csv(request):
    year, number, _contract = _choice(request)
    figures = published_metrics(year=year, contract=number).figures
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="prior-authorization-metrics-{year}{"-" + number if number else ""}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Measure", "Value"])
    writer.writerow(["Year", year])
    writer.writerow(["Contract or plan", number or "All"])
    writer.writerow(["Requests received", figures["requests_received"]])
    writer.writerow(["Requests decided", figures["requests_decided"]])
    for label, value in _rows(figures):
        writer.writerow([label, "" if value is None else value])
    for item in figures["items_requiring_prior_authorization"]:
        writer.writerow(["Item or service requiring prior authorization", item])
    return response
