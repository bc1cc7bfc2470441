"""The CMS-0057-F yearly metrics, computed from cases decided in the portal."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases.models import AuthorizationRequest, CaseStatus
from criteria.models import CriteriaCode, CriteriaSet
from reviews.models import Appeal, Decision, Extension
from reviews.reporting.public import prior_authorization_metrics

NY = ZoneInfo("America/New_York")
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=NY)


def _decided(make_case, user, *, urgency="standard", status=CaseStatus.APPROVED, hours=24, received=RECEIVED):
    case = make_case(urgency=urgency, expedited_reason="x" if urgency == "expedited" else "", received_at=received)
    # Test setup: place the case in its decided state directly; the workflow is tested elsewhere.
    AuthorizationRequest.objects.filter(pk=case.pk).update(status=status, decided_at=received + timedelta(hours=hours))
    outcome = {CaseStatus.APPROVED: "approved", CaseStatus.DENIED: "denied"}[status]
    decision = Decision.objects.create(
        case=case, outcome=outcome, decided_by=user, decided_at=received + timedelta(hours=hours)
    )
    return case, decision


@pytest.mark.django_db
def test_metrics_count_each_published_figure(make_case, nurse):
    _decided(make_case, nurse, hours=10)
    _decided(make_case, nurse, status=CaseStatus.DENIED, hours=20)
    appealed, denial = _decided(make_case, nurse, status=CaseStatus.APPROVED, hours=30)
    Appeal.objects.create(
        case=appealed,
        decision_appealed=denial,
        reason="r",
        filed_by=nurse,
        filed_at=RECEIVED,
        due_at=RECEIVED,
        status="decided",
        outcome="overturned",
    )
    extended, _ = _decided(make_case, nurse, hours=40)
    Extension.objects.create(
        case=extended,
        ground="member_request",
        reason="r",
        rule="ncqa",
        old_due_at=RECEIVED,
        new_due_at=RECEIVED,
        granted_by=nurse,
        granted_at=RECEIVED,
    )
    _decided(make_case, nurse, urgency="expedited", hours=5)
    _decided(make_case, nurse, urgency="expedited", status=CaseStatus.DENIED, hours=7)
    make_case(received_at=RECEIVED)  # still open: received, not decided
    _decided(make_case, nurse, received=datetime(2025, 6, 1, tzinfo=NY))  # another year
    criteria = CriteriaSet.objects.create(name="TKA", source="internal")
    CriteriaCode.objects.create(criteria_set=criteria, code_system="CPT", code="27447")

    report = prior_authorization_metrics(year=2026)

    assert report["requests_received"] == 7
    assert report["requests_decided"] == 6
    assert report["items_requiring_prior_authorization"] == ["CPT 27447"]
    standard = report["standard"]
    assert standard["decided"] == 4
    assert standard["approved_percent"] == 50.0  # 2 of 4 approved without an appeal
    assert standard["denied_percent"] == 25.0
    assert standard["approved_after_appeal_percent"] == 25.0
    assert standard["average_hours"] == 25.0 and standard["median_hours"] == 25.0
    expedited = report["expedited"]
    assert (expedited["decided"], expedited["approved_percent"], expedited["denied_percent"]) == (2, 50.0, 50.0)
    assert expedited["median_hours"] == 6.0
    assert report["extended_and_approved_percent"] == round(100 / 6, 1)


@pytest.mark.django_db
def test_metrics_endpoint_is_public_and_validates_the_year(client):
    response = client.get("/api/v1/reports/prior-authorization-metrics/?year=2026")
    assert response.status_code == 200
    assert response.json()["year"] == 2026
    bad = client.get("/api/v1/reports/prior-authorization-metrics/?year=twenty")
    assert bad.status_code == 400
    assert "year" in bad.json()["errors"]
