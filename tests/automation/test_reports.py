"""The automation figures in the reports: share auto-approved by rule, line of business and
month, and receipt-to-decision time for rule versus human decisions."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reviews.services.decisions import case_approve

from .test_services_evaluate import _submit

pytestmark = pytest.mark.django_db


def test_auto_approval_share_and_times(api, nurse, provider, member, ortho, make_live_rule, make_case):
    make_live_rule(codes=["27447"])
    make_live_rule(name="PT", codes=["97110"])
    auto1 = _submit(provider, member, ortho)
    auto2 = _submit(provider, member, ortho, code="97110")
    human = _submit(provider, member, ortho, code="27446")
    _submit(provider, member, ortho, code="27445")  # stays open
    assert (auto1.status, auto2.status, human.status) == ("approved", "approved", "received")
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        case_approve(case_id=human.pk, actor=nurse)

    body = api.as_user(nurse).get("/api/v1/reports/auto-approval/", {"year": timezone.localdate().year}).json()

    assert (body["requests_received"], body["auto_approved"], body["auto_approved_percent"]) == (4, 2, 50.0)
    assert {(r["rule"], r["auto_approved"]) for r in body["by_rule"]} == {("Knee arthroplasty", 1), ("PT", 1)}
    assert body["by_line_of_business"] == [
        {"line_of_business": "commercial", "received": 4, "auto_approved": 2, "auto_approved_percent": 50.0}
    ]
    assert body["by_month"][0]["auto_approved"] == 2
    times = body["receipt_to_decision"]
    assert times["auto"]["decided"] == 2 and times["auto"]["p95_seconds"] < 60
    assert times["human"]["decided"] == 1 and times["human"]["median_seconds"] >= 5 * 3600


def test_providers_cannot_read_the_automation_report(api, provider):
    assert api.as_user(provider).get("/api/v1/reports/auto-approval/").status_code == 403
