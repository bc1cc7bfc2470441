"""The operations dashboard page and the public CMS-0057-F report."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import AuthorizationRequest, PlanContract
from reviews.models import Decision
from reviews.reporting.rollups import rollup_rebuild_all
from tests.factories import CoverageFactory, MemberFactory

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _decided_case(make_case, user, *, received, hours, outcome="approved", contract=None, lob="medicare_advantage"):
    member = MemberFactory()
    CoverageFactory(member=member, line_of_business=lob, contract=contract)
    case = make_case(member=member, received_at=received)
    # Test setup: the decision row and the decided state directly (services tested elsewhere).
    decided_at = received + timedelta(hours=hours)
    AuthorizationRequest.objects.filter(pk=case.pk).update(status=outcome, decided_at=decided_at)
    Decision.objects.create(case=case, outcome=outcome, decided_by=user, decided_at=decided_at)
    return case


@pytest.mark.django_db
def test_dashboard_shows_the_periods_figures_charts_and_todays_partial_day(client, admin_user, nurse, make_case):
    _decided_case(make_case, nurse, received=datetime(2026, 11, 2, 9, tzinfo=NY), hours=30)
    _decided_case(make_case, nurse, received=datetime(2026, 11, 3, 9, tzinfo=NY), hours=50, outcome="denied")
    rollup_rebuild_all()
    make_case(received_at=NOW - timedelta(hours=1))  # today, not yet in any rollup
    client.force_login(admin_user)

    response = client.get("/reviews/dashboard/?start=2026-11-01&end=2026-11-30")

    assert response.status_code == 200
    totals = response.context["figures"]["totals"]
    assert (totals["received"], totals["decided"], totals["approved_percent"], totals["denied_percent"]) == (
        3, 2, 50.0, 50.0,
    )  # fmt: skip
    body = response.content.decode()
    assert body.count("<svg") == 5 and "Share decided on time, per month" in body
    assert 'style="' not in body.split("<main", 1)[1]  # the strict CSP allows no inline style


@pytest.mark.django_db
def test_dashboard_is_for_administrators_and_physicians_only(client, nurse, provider, physician):
    for user, status in ((nurse, 403), (provider, 403), (physician, 200)):
        client.force_login(user)
        assert client.get("/reviews/dashboard/").status_code == status


@pytest.mark.django_db
def test_each_table_exports_as_csv(client, physician, nurse, make_case):
    _decided_case(make_case, nurse, received=datetime(2026, 11, 10, 9, tzinfo=NY), hours=10)
    rollup_rebuild_all()
    client.force_login(physician)

    response = client.get("/reviews/dashboard/?start=2026-11-01&end=2026-11-29&export=timeliness_line_of_business")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Group", "Received", "Decided"]
    assert rows[1][:3] == ["medicare_advantage", "1", "1"]
    assert client.get("/reviews/dashboard/?export=nothing").status_code == 400


@pytest.mark.django_db
def test_bad_filters_say_what_is_wrong_and_fall_back(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/reviews/dashboard/?start=yesterday&end=2026-11-30&line_of_business=dental&state=M1")
    assert response.status_code == 200
    errors = response.context["filters"].errors
    assert "Start date must look like 2026-11-30." in errors
    assert "Unknown line of business." in errors and "State must be a two-letter code." in errors


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_history(
    client, admin_user, nurse, make_case, django_assert_num_queries
):
    client.force_login(admin_user)
    _decided_case(make_case, nurse, received=datetime(2026, 10, 2, 9, tzinfo=NY), hours=5)
    rollup_rebuild_all()
    client.get("/reviews/dashboard/?start=2026-09-01&end=2026-11-30")  # warm the session and role caches
    # session, the user with their groups (role); month rollups, day rollups; today live: received, decisions,
    # pends opened, pends answered, appeals, reviewers; day series; open by time left; heat
    # map; workload: open, decided, reviewers' names; referral management: redirections,
    # declines, out-of-network approvals; fax intake: faxes by day received and keyed, OCR
    # pre-fill kept by day; nav unread count (the session, renewed by the first page, is not
    # written again within SESSION_RENEW_SECONDS).
    with django_assert_num_queries(22) as first:
        client.get("/reviews/dashboard/?start=2026-09-01&end=2026-11-30")
    for day in (3, 4, 5, 6):
        _decided_case(make_case, nurse, received=datetime(2026, 10, day, 9, tzinfo=NY), hours=5)
    rollup_rebuild_all()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/reviews/dashboard/?start=2026-09-01&end=2026-11-30")


@pytest.mark.django_db
def test_public_report_needs_no_login_and_splits_by_contract(client, nurse, make_case):
    ma = PlanContract.objects.create(program="medicare_advantage", number="H9999", name="Synthetic Advantage")
    _decided_case(make_case, nurse, received=datetime(2026, 2, 2, 9, tzinfo=NY), hours=24, contract=ma)
    _decided_case(make_case, nurse, received=datetime(2026, 2, 3, 9, tzinfo=NY), hours=48, outcome="denied",
                  lob="medicaid")  # fmt: skip

    page = client.get("/reports/prior-authorization/?year=2026&contract=H9999")
    everyone = client.get("/reports/prior-authorization/?year=2026")

    assert page.status_code == 200 and everyone.status_code == 200
    assert page.context["figures"]["requests_decided"] == 1
    assert page.context["figures"]["standard"]["approved_percent"] == 100.0
    assert everyone.context["figures"]["requests_decided"] == 2
    rows = dict(r[:2] for r in csv.reader(io.StringIO(client.get(
        "/reports/prior-authorization.csv?year=2026&contract=H9999").content.decode())))  # fmt: skip
    assert rows["Contract or plan"] == "H9999" and rows["Standard requests approved (%)"] == "100.0"
    assert client.get("/reports/prior-authorization/?contract=H0000").status_code == 404
    assert client.get("/reports/prior-authorization/?year=１２").status_code == 400
    api = client.get("/api/v1/reports/prior-authorization-metrics/?year=2026&contract=H9999").json()
    assert api["contract"] == "H9999" and api["requests_decided"] == 1


@pytest.mark.django_db
def test_public_figures_leave_out_drug_only_requests(client, nurse, make_case):
    drug = make_case(
        received_at=datetime(2026, 5, 4, 9, tzinfo=NY),
        lines=[{"code_system": "HCPCS", "code": "J1745", "units": 1,
                "start_date": datetime(2026, 5, 20).date(), "end_date": datetime(2026, 5, 20).date()}],
    )  # fmt: skip
    assert drug.lines.count() == 1
    _decided_case(make_case, nurse, received=datetime(2026, 5, 4, 9, tzinfo=NY), hours=5)

    from reviews.reporting.public import prior_authorization_metrics

    assert prior_authorization_metrics(year=2026)["requests_received"] == 1
