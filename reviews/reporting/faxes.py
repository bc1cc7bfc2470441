"""Fax intake figures (issue 18, item 4) for the operations dashboard, per day of the plan's
calendar: faxes received, faxes keyed and the hours from receipt to keyed (average and
longest), and the OCR field accuracy: of the fields OCR pre-filled on the intake form, the
share the nurse kept (from `cases.FaxPrefill`, written by the keying step).

Counted live in two grouped queries (faxes on indexed received_at and keyed_at, pre-fill
rows on keyed_at): a few rows per fax, whatever the period. The case filters of the
dashboard do not apply: an unkeyed fax has no line of business or state yet. No PHI."""

from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Func, IntegerField, Max, Q, Sum
from django.db.models.functions import TruncDate

from cases.deadlines.calendar import plan_tz
from cases.models import FaxPrefill, FaxReceipt


class _JsonLength(Func):
    """The length of a JSON array (PostgreSQL jsonb_array_length, SQLite json_array_length)."""

    output_field = IntegerField()
    function = "jsonb_array_length"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="json_array_length", **extra)


def _bounds(filters) -> tuple[datetime, datetime]:
    tz = plan_tz()
    return (
        datetime.combine(filters.start, time.min, tzinfo=tz),
        datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def fax_figures(filters) -> dict:
    start, end = _bounds(filters)
    tz = plan_tz()
    days: dict[date, dict] = {
        filters.start + timedelta(days=i): {
            "received": 0,
            "keyed": 0,
            "average_hours_to_keyed": None,
            "longest_hours_to_keyed": None,
            "prefilled_fields": 0,
            "kept_fields": 0,
            "ocr_accuracy_percent": None,
        }
        for i in range((filters.end - filters.start).days + 1)
    }
    # One query: faxes received in the period, and faxes keyed in it (their own day each).
    in_period = Q(received_at__gte=start, received_at__lt=end) | Q(keyed_at__gte=start, keyed_at__lt=end)
    received = (
        FaxReceipt.objects.filter(in_period)
        .annotate(day=TruncDate("received_at", tzinfo=tz), keyed_day=TruncDate("keyed_at", tzinfo=tz))
        .values("day", "keyed_day")
        .annotate(
            n=Count("id"),
            keyed=Count("id", filter=Q(keyed_at__gte=start, keyed_at__lt=end)),
            wait=Avg(F("keyed_at") - F("received_at"), filter=Q(keyed_at__isnull=False)),
            longest=Max(F("keyed_at") - F("received_at"), filter=Q(keyed_at__isnull=False)),
        )
    )
    waits: dict[date, list] = {}
    for row in received:
        if row["day"] in days:
            days[row["day"]]["received"] += row["n"]
        if row["keyed_day"] in days and row["keyed"]:
            figures = days[row["keyed_day"]]
            figures["keyed"] += row["keyed"]
            waits.setdefault(row["keyed_day"], []).append((row["keyed"], row["wait"], row["longest"]))
    for day, parts in waits.items():
        count = sum(n for n, _w, _l in parts)
        average = sum((w * n for n, w, _l in parts), timedelta()) / count
        days[day]["average_hours_to_keyed"] = _hours(average)
        days[day]["longest_hours_to_keyed"] = _hours(max(longest for _n, _w, longest in parts))
    # One query: the pre-fill kept, per day keyed.
    prefill = (
        FaxPrefill.objects.filter(keyed_at__gte=start, keyed_at__lt=end)
        .annotate(day=TruncDate("keyed_at", tzinfo=tz))
        .values("day")
        .annotate(filled=Sum(_JsonLength("prefill_fields")), kept=Sum(_JsonLength("prefill_kept")))
    )
    for row in prefill:
        if row["day"] in days:
            days[row["day"]]["prefilled_fields"] = row["filled"] or 0
            days[row["day"]]["kept_fields"] = row["kept"] or 0
    totals = {"received": 0, "keyed": 0, "prefilled_fields": 0, "kept_fields": 0}
    for figures in days.values():
        if figures["prefilled_fields"]:
            figures["ocr_accuracy_percent"] = round(100 * figures["kept_fields"] / figures["prefilled_fields"], 1)
        for name in totals:
            totals[name] += figures[name]
    filled = totals["prefilled_fields"]
    totals["ocr_accuracy_percent"] = round(100 * totals["kept_fields"] / filled, 1) if filled else None
    return {"days": [{"day": day, **figures} for day, figures in sorted(days.items())], "totals": totals}
