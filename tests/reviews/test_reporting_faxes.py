"""Fax intake figures on the operations dashboard (issue 18, item 4): time from fax receipt
to keyed per day, and OCR field accuracy (share of pre-filled fields the nurse kept)."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import FaxPrefill, FaxReceipt
from cases.services.fax import fax_receipt_receive
from reviews.reporting.dashboard import DashboardFilters
from reviews.reporting.faxes import fax_figures
from tests.cases.test_fax_inbox import _pdf

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _fax(nurse, *, received: datetime, keyed: datetime | None = None, pages: int = 1) -> FaxReceipt:
    upload = SimpleUploadedFile("f.pdf", _pdf(pages), content_type="application/pdf")
    fax = fax_receipt_receive(user=nurse, upload=upload, source=FaxReceipt.Source.UPLOAD, received_at=received)
    if keyed is not None:
        # Test setup: the keyed state directly (keying is tested in tests/cases).
        FaxReceipt.objects.filter(pk=fax.pk).update(status="keyed", keyed_at=keyed, keyed_by=nurse)
    return fax


def _prefill(make_case, fax, *, keyed: datetime, fields: list[str], kept: list[str]) -> None:
    row = FaxPrefill.objects.create(case=make_case(), fax=fax, prefill_fields=fields, prefill_kept=kept)
    FaxPrefill.objects.filter(pk=row.pk).update(keyed_at=keyed)


def _filters(start: str, end: str) -> DashboardFilters:
    return DashboardFilters.from_params({"start": start, "end": end})


def test_hours_to_keyed_and_ocr_accuracy_per_day(nurse, make_case):
    # Two faxes received on the 27th, keyed on the 28th after 24 and 20 hours; one received on
    # the 28th late in the evening (local) and not keyed; one keyed before the period.
    a = _fax(nurse, received=datetime(2026, 11, 27, 9, tzinfo=NY), keyed=datetime(2026, 11, 28, 9, tzinfo=NY), pages=1)
    b = _fax(
        nurse, received=datetime(2026, 11, 27, 15, tzinfo=NY), keyed=datetime(2026, 11, 28, 11, tzinfo=NY), pages=2
    )
    _fax(nurse, received=datetime(2026, 11, 28, 23, 30, tzinfo=NY), pages=3)
    _fax(nurse, received=datetime(2026, 11, 20, 9, tzinfo=NY), keyed=datetime(2026, 11, 21, 9, tzinfo=NY), pages=4)
    _prefill(
        make_case, a, keyed=datetime(2026, 11, 28, 9, tzinfo=NY), fields=["a", "b", "c", "d"], kept=["a", "b", "c"]
    )
    _prefill(make_case, b, keyed=datetime(2026, 11, 28, 11, tzinfo=NY), fields=["a", "b", "c", "d"], kept=["a"])

    figures = fax_figures(_filters("2026-11-27", "2026-11-29"))

    by_day = {row["day"]: row for row in figures["days"]}
    assert list(by_day) == [date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)]
    assert (by_day[date(2026, 11, 27)]["received"], by_day[date(2026, 11, 27)]["keyed"]) == (2, 0)
    day28 = by_day[date(2026, 11, 28)]
    assert (day28["received"], day28["keyed"]) == (1, 2)  # 23:30 ET is still the 28th
    assert (day28["average_hours_to_keyed"], day28["longest_hours_to_keyed"]) == (22.0, 24.0)
    assert (day28["prefilled_fields"], day28["kept_fields"], day28["ocr_accuracy_percent"]) == (8, 4, 50.0)
    assert by_day[date(2026, 11, 29)]["ocr_accuracy_percent"] is None
    assert figures["totals"] == {
        "received": 3,
        "keyed": 2,
        "prefilled_fields": 8,
        "kept_fields": 4,
        "ocr_accuracy_percent": 50.0,
    }


def test_the_dashboard_shows_and_exports_the_fax_table(client, admin_user, nurse):
    _fax(nurse, received=datetime(2026, 11, 27, 9, tzinfo=NY), keyed=datetime(2026, 11, 27, 12, 30, tzinfo=NY))
    client.force_login(admin_user)
    page = client.get("/reviews/dashboard/?start=2026-11-27&end=2026-11-28").content.decode()
    assert "Fax intake per day" in page
    export = client.get("/reviews/dashboard/?start=2026-11-27&end=2026-11-28&export=fax_intake")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:4] == ["Day", "Faxes received", "Faxes keyed", "Average hours, receipt to keyed"]
    assert rows[1][:5] == ["2026-11-27", "1", "1", "3.5", "3.5"]
    assert rows[-1][:3] == ["Period", "1", "1"]


def test_no_faxes_no_figures(nurse):
    figures = fax_figures(_filters("2026-11-01", "2026-11-02"))
    assert figures["totals"]["ocr_accuracy_percent"] is None
    assert all(row["keyed"] == 0 and row["average_hours_to_keyed"] is None for row in figures["days"])
