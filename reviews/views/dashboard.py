"""The operations dashboard (UM administrators and physician directors): charts, their
tables, and each table as CSV. Aggregates only: no member appears, nothing is PHI."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from cases.models import LineOfBusiness, ServiceCategory
from um_portal.exceptions import ValidationFailed
from um_portal.roles import Perm

from ..reporting.charts import bar_chart, heatmap, line_chart
from ..reporting.dashboard import DashboardFilters, dashboard_figures
from .common import require

SUMMARY_COLUMNS = [
    ("key", "Group"),
    ("received", "Received"),
    ("decided", "Decided"),
    ("on_time_percent", "Decided on time (%)"),
    ("approved_percent", "Approved (%)"),
    ("partially_approved_percent", "Partially approved (%)"),
    ("denied_percent", "Denied (%)"),
    ("pend_rate_percent", "Pended (% of received)"),
    ("average_pend_hours", "Average pend (hours)"),
    ("appeal_overturn_percent", "Appeals overturned (%)"),
    ("auto_percent", "Decided automatically (%)"),
    ("human_median_hours", "Median hours to decision, reviewers"),
    ("human_p90_hours", "90th percentile hours, reviewers"),
    ("auto_median_hours", "Median hours to decision, automatic"),
]


def _tables(figures: dict) -> dict[str, tuple[str, list[tuple[str, str]], list[dict]]]:
    """Every table the page shows, by export name: (caption, columns, rows)."""
    timeliness = figures["timeliness"]
    heat = figures["heatmap"]
    return {
        "totals": ("All requests in the period", SUMMARY_COLUMNS[1:], [figures["totals"]]),
        "timeliness_rule": ("By turnaround rule", SUMMARY_COLUMNS, timeliness["rule"]),
        "timeliness_line_of_business": ("By line of business", SUMMARY_COLUMNS, timeliness["line_of_business"]),
        "timeliness_urgency": ("By urgency", SUMMARY_COLUMNS, timeliness["urgency"]),
        "timeliness_month": (
            "By month",
            SUMMARY_COLUMNS,
            [{**row, "key": row["key"].strftime("%Y-%m")} for row in timeliness["month"]],
        ),
        "volume": (
            f"Received and decided per {figures['volume_unit']}",
            [("period", figures["volume_unit"].title()), ("received", "Received"), ("decided", "Decided")],
            [{**row, "period": row["period"].isoformat()} for row in figures["volume"]],
        ),
        "open_by_time_left": (
            "Open requests by time left",
            [("label", "Time left"), ("expedited", "Expedited"), ("standard", "Standard"), ("total", "Total")],
            figures["open_by_time_left"],
        ),
        "deadline_heatmap": (
            "Open requests due, by day and hour (ET)",
            [("day", "Day")] + [(str(h), f"{h:02d}:00") for h in heat["hours"]],
            [
                {"day": day.strftime("%a %b %d"), **{str(h): row[h] for h in heat["hours"]}}
                for day, row in zip(heat["days"], heat["grid"], strict=True)
            ],
        ),
        "workload": (
            "Reviewer workload",
            [
                ("reviewer", "Reviewer"),
                ("open", "Open, assigned"),
                ("decided", "Decided"),
                ("decided_per_day", "Per day"),
            ],
            figures["workload"],
        ),
        **_referral_tables(figures["referrals"]),
        "fax_intake": (
            "Fax intake per day: receipt to keyed, and OCR pre-fill kept (all faxes; the filters apply to cases only)",
            [
                ("day", "Day"),
                ("received", "Faxes received"),
                ("keyed", "Faxes keyed"),
                ("average_hours_to_keyed", "Average hours, receipt to keyed"),
                ("longest_hours_to_keyed", "Longest hours, receipt to keyed"),
                ("prefilled_fields", "Fields pre-filled by OCR"),
                ("kept_fields", "Pre-filled fields kept"),
                ("ocr_accuracy_percent", "OCR field accuracy (% kept)"),
            ],
            [{**row, "day": row["day"].isoformat()} for row in figures["faxes"]["days"]]
            + [{**figures["faxes"]["totals"], "day": "Period"}],
        ),
    }


def _referral_tables(referrals: dict) -> dict:
    """Referral management (issue 20, item 4): redirections by month and specialty, the
    offices' reasons to decline, and out-of-network approvals with the nurses' reasons."""

    def by_month(rows):
        return [{**row, "month": row["month"].strftime("%Y-%m")} for row in rows]

    return {
        "referral_redirections": (
            "In-network redirections proposed, by month and specialty",
            [
                ("month", "Month"),
                ("specialty", "Specialty"),
                ("offered", "Proposed"),
                ("accepted", "Accepted"),
                ("declined", "Declined"),
                ("waiting", "Waiting for the office"),
                ("accepted_percent", "Accepted (% of answered)"),
            ],
            by_month(referrals["redirections"]),
        ),
        "referral_declines": (
            "Redirections declined, by reason",
            [("month", "Month"), ("specialty", "Specialty"), ("reason", "Reason"), ("declined", "Declined")],
            by_month(referrals["declines"]),
        ),
        "referral_out_of_network_approvals": (
            "Out-of-network referral approvals, by reason",
            [("month", "Month"), ("specialty", "Specialty"), ("reason", "Reason"), ("approved", "Approved")],
            by_month(referrals["approvals"]),
        ),
    }


def _cell(value) -> str:
    return "–" if value is None else str(value)


def _csv(name: str, caption: str, columns, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="um-dashboard-{name}.csv"'
    writer = csv.writer(response)
    writer.writerow([label for _key, label in columns])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else row.get(key) for key, _label in columns])
    return response


def _charts(figures: dict) -> dict:
    volume = figures["volume"]
    labels = [row["period"].strftime("%b %d" if figures["volume_unit"] == "day" else "%b %Y") for row in volume]
    months = figures["timeliness"]["month"]
    heat = figures["heatmap"]
    outcome = figures["totals"]
    return {
        "volume": bar_chart(
            f"Requests received and decided per {figures['volume_unit']}",
            labels,
            {"Received": [r["received"] for r in volume], "Decided": [r["decided"] for r in volume]},
        ),
        "timeliness": line_chart(
            "Share decided on time, per month",
            [m["key"].strftime("%b %Y") for m in months],
            {"On time": [m["on_time_percent"] for m in months]},
            percent=True,
        ),
        "outcomes": bar_chart(
            "Decisions by outcome",
            ["Approved", "Partially approved", "Denied"],
            {"Decisions": [outcome["approved"], outcome["partially_approved"], outcome["denied"]]},
        ),
        "open": bar_chart(
            "Open requests by time left",
            [row["label"] for row in figures["open_by_time_left"]],
            {
                "Expedited": [row["expedited"] for row in figures["open_by_time_left"]],
                "Standard": [row["standard"] for row in figures["open_by_time_left"]],
            },
        ),
        "heatmap": heatmap(
            "Open requests due by day and hour",
            [day.strftime("%a %d") for day in heat["days"]],
            [f"{h:02d}" for h in heat["hours"]],
            heat["grid"],
        ),
    }


@login_required
def dashboard(request):
    require(request.user, Perm.REPORTS_VIEW)
    filters = DashboardFilters.from_params(request.GET)
    figures = dashboard_figures(filters)
    tables = _tables(figures)
    export = request.GET.get("export")
    if export:
        if export not in tables:
            raise ValidationFailed(f"There is no table named {export!r} to export.")
        return _csv(export, *tables[export])
    params = request.GET.copy()
    params.pop("export", None)
    return render(
        request,
        "reviews/dashboard.html",
        {
            "figures": figures,
            "filters": filters,
            "tables": [
                {
                    "name": name,
                    "caption": caption,
                    "headers": [label for _key, label in columns],
                    "rows": [[_cell(row.get(key)) for key, _label in columns] for row in rows],
                }
                for name, (caption, columns, rows) in tables.items()
            ],
            "charts": _charts(figures),
            "query": params.urlencode(),
            "lines_of_business": LineOfBusiness.choices,
            "service_categories": ServiceCategory.choices,
        },
    )
