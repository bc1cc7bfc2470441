"""The concurrent review queue (issue 19, item 2): page and API. Pinned query counts, PHI
reads logged, the nurse's actions through both doors, 400 for bad input and 409 for a
stale version with nothing written, strangers refused."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseEvent, InpatientStay, StayReview
from reviews.services.decisions import case_approve
from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory
from um_portal.models import AccessLog

from .test_views_query_counts import SESSION_SAVE, bulk_cases

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
# A Wednesday morning: nothing here depends on the day the suite runs.
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hospital(db):
    return OrganizationFactory(name="Harbor Test Hospital", kind="hospital")


@pytest.fixture
def stay(make_case, nurse, hospital):
    member = MemberFactory(first_name="Hattie", last_name="Inpatient")
    CoverageFactory(member=member)
    start = timezone.localdate() - timedelta(days=2)
    case = make_case(
        member=member,
        service_category="inpatient_admission",
        servicing_organization=hospital,
        diagnosis_codes=["I50.9"],
        lines=[{"code_system": "CPT", "code": "99223", "units": 3, "start_date": start, "end_date": start}],
    )
    case_approve(case_id=case.pk, actor=nurse)
    return InpatientStay.objects.get(case=case)


def bulk_stays(template_case, n: int):
    today = timezone.localdate()
    cases = bulk_cases(template_case, n, status="approved")
    return InpatientStay.objects.bulk_create(
        [
            InpatientStay(
                member=c.member,
                facility=c.servicing_organization,
                admitted_at=timezone.now() - timedelta(days=3),
                case=c,
                authorized_days=3,
                authorized_through=today,
                next_review_on=today - timedelta(days=i % 3),
                discharge_planning_notes="2026-03-03 10:00 ET, Nurse: home with services likely",
            )
            for i, c in enumerate(cases)
        ]
    )


# Concurrent queue page, per request: 1 session, 2 the user with their groups (role), 3 the
# page (one keyset query joining member, facility, admission case, length-of-stay norm, open
# request and its case and assignee), 4 access log (one bulk insert), 5 unread notifications
# (nav), 6-8 the session saved (idle logoff).
QUEUE_QUERIES = 5 + SESSION_SAVE


@pytest.mark.parametrize("n", [5, 60])
def test_queue_page_query_count_is_constant_and_reads_are_logged(
    client, make_case, nurse, n, django_assert_num_queries
):
    bulk_stays(make_case(), n)
    client.force_login(nurse)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("reviews:concurrent_queue"))

    html = response.content.decode()
    assert response.status_code == 200 and html.count('id="stay-row-') == min(n, 50)
    assert "home with services likely" in html
    assert AccessLog.objects.filter(object_kind="stay", user=nurse).count() == min(n, 50)


def test_queue_shows_length_of_stay_against_expected_and_only_due_stays(client, stay, nurse, make_case):
    later = bulk_stays(make_case(), 1)[0]
    InpatientStay.objects.filter(pk=later.pk).update(next_review_on=timezone.localdate() + timedelta(days=1))
    client.force_login(nurse)

    html = client.get(reverse("reviews:concurrent_queue")).content.decode()

    assert f'id="stay-row-{stay.pk}"' in html and f'id="stay-row-{later.pk}"' not in html
    # Admitted two days ago: 2 midnights; heart failure (MS-DRG 291) is expected at 3.90.
    assert "2 days / expected 3.90" in html and "MS-DRG 291" in html


def test_nurse_approves_more_days_from_the_stay_page(client, stay, nurse):
    client.force_login(nurse)
    page = client.get(reverse("reviews:stay", args=[stay.pk]))
    assert page.status_code == 200
    assert AccessLog.objects.filter(object_kind="stay", object_id=str(stay.pk)).exists()

    response = client.post(
        reverse("reviews:stay_approve_days", args=[stay.pk]),
        {"version": stay.version, "days": "2", "next_review_on": "", "note": ""},
    )

    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.authorized_days == 5


def test_stale_version_on_the_page_is_409_with_the_message_and_nothing_written(client, stay, nurse):
    client.force_login(nurse)
    before = (CaseEvent.objects.count(), AuthorizationRequest.objects.count())

    response = client.post(
        reverse("reviews:stay_route", args=[stay.pk]), {"version": stay.version + 5, "days": "2", "note": "Check."}
    )

    assert response.status_code == 409 and "Someone else changed this stay" in response.content.decode()
    assert (CaseEvent.objects.count(), AuthorizationRequest.objects.count()) == before


def test_negative_days_on_the_page_is_400_with_a_clear_message(client, stay, nurse):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:stay_approve_days", args=[stay.pk]), {"version": stay.version, "days": "-3"}
    )
    assert response.status_code == 400 and "give at least 1 day" in response.content.decode()
    assert StayReview.objects.count() == 0


def test_api_queue_lists_due_stays_with_los_and_logs_reads(api, stay, nurse, django_assert_num_queries):
    api.as_user(nurse)
    # 1 the page (one keyset query, joined), 2 access log (bulk insert); the role is read
    # once per user object and this one already knows it.
    with django_assert_num_queries(2):
        response = api.get("/api/v1/queues/concurrent/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == stay.pk and row["length_of_stay_days"] == 2
    assert row["expected_length_of_stay_days"] == "3.90" and row["expected_from"]["code"] == "291"
    assert row["authorized_through"] == "2026-03-04" and row["open_review"] is None
    assert AccessLog.objects.filter(object_kind="stay", how="api").count() == 1


def test_api_approve_days_bad_input_is_400_and_writes_nothing(api, stay, nurse):
    api.as_user(nurse)
    before = (CaseEvent.objects.count(), StayReview.objects.count())
    for body, field in (
        ({"days": -2, "version": stay.version}, "days"),
        ({"days": 2, "next_review_on": "2026-02-01", "version": stay.version}, "next_review_on"),
        ({"days": "many", "version": stay.version}, "days"),
        ({"days": 2}, "version"),  # without the version it saw, a retried call would approve twice
    ):
        response = api.post(f"/api/v1/stays/{stay.pk}/approve-days/", body, format="json")
        assert response.status_code == 400, response.json()
        assert field in response.json()["errors"] and response.json()["detail"]
    assert (CaseEvent.objects.count(), StayReview.objects.count()) == before


def _approved_once(stay, days: int) -> None:
    after = InpatientStay.objects.get(pk=stay.pk)
    assert (after.authorized_days, after.open_review_id) == (stay.authorized_days + days, None)
    assert StayReview.objects.filter(stay=stay).count() == 1
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).count() == 1


def test_api_approve_days_clicked_twice_approves_once_and_the_late_click_is_409(api, stay, nurse):
    # Given a stay with no open request, as the nurse's screen shows it
    api.as_user(nurse)
    body = {"days": 2, "version": stay.version}

    # When the approval is sent twice (a double click, or a retry after a timeout)
    first = api.post(f"/api/v1/stays/{stay.pk}/approve-days/", body, format="json")
    second = api.post(f"/api/v1/stays/{stay.pk}/approve-days/", body, format="json")

    # Then one request was opened and approved; the late one is a 409 with nothing written
    assert first.status_code == 200, first.json()
    assert second.status_code == 409 and second.json()["code"] == "stale", second.json()
    _approved_once(stay, 2)


def test_api_approve_days_without_the_version_is_400_and_opens_no_request(api, stay, nurse):
    # Given the stay was just extended by an approval (the first of two clicks)
    api.as_user(nurse)
    first = api.post(f"/api/v1/stays/{stay.pk}/approve-days/", {"days": 2, "version": stay.version}, format="json")
    assert first.status_code == 200

    # When a second click comes without the version the nurse saw
    second = api.post(f"/api/v1/stays/{stay.pk}/approve-days/", {"days": 2}, format="json")

    # Then it is refused as bad input: no second request for the same days
    assert second.status_code == 400 and "version" in second.json()["errors"], second.json()
    _approved_once(stay, 2)


def test_approve_days_clicked_twice_on_the_page_approves_once_and_the_late_click_is_409(client, stay, nurse):
    client.force_login(nurse)
    form = {"version": stay.version, "days": "2", "next_review_on": "", "note": ""}

    first = client.post(reverse("reviews:stay_approve_days", args=[stay.pk]), form)
    second = client.post(reverse("reviews:stay_approve_days", args=[stay.pk]), form)

    assert first.status_code == 302
    assert second.status_code == 409 and "Someone else changed this stay" in second.content.decode()
    _approved_once(stay, 2)


def test_api_two_nurses_one_stay_second_gets_409(api, stay, nurse, nurse2):
    version = stay.version
    first = api.as_user(nurse).post(
        f"/api/v1/stays/{stay.pk}/route-to-physician/",
        {"days": 3, "note": "Borderline.", "version": version},
        format="json",
    )
    assert first.status_code == 200 and first.json()["open_review"]["status"] == "physician_review"
    second = api.as_user(nurse2).post(
        f"/api/v1/stays/{stay.pk}/approve-days/", {"days": 3, "version": version}, format="json"
    )
    assert second.status_code == 409 and second.json()["code"] == "stale"


def test_provider_cannot_reach_stays_and_nothing_is_written(api, stay, provider):
    api.as_user(provider)
    before = CaseEvent.objects.count()
    assert api.get("/api/v1/queues/concurrent/").status_code == 403
    assert api.get(f"/api/v1/stays/{stay.pk}/").status_code == 404
    assert api.post(f"/api/v1/stays/{stay.pk}/notes/", {"note": "hi"}, format="json").status_code == 404
    assert CaseEvent.objects.count() == before


def test_api_contract_stays_due_for_review_by_next_review_date(api, stay, nurse):
    """API.md: `GET /api/v1/queues/concurrent/` (nurses), stays due for review by next review date."""
    today = timezone.localdate()
    later = bulk_stays(stay.case, 3)  # next reviews today, yesterday, two days ago
    stay.next_review_on = today
    stay.save(update_fields=["next_review_on"])

    response = api.as_user(nurse).get("/api/v1/queues/concurrent/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {stay.pk, *(s.pk for s in later)}
    dates = [row["next_review_on"] for row in rows]
    assert all(d is not None for d in dates) and dates == sorted(dates)
