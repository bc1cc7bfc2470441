from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest
from reviews.services.assignment import case_assign
from reviews.services.pends import case_route_to_physician

pytestmark = pytest.mark.django_db


def _due(case, hours):
    AuthorizationRequest.objects.filter(pk=case.pk).update(decision_due_at=timezone.now() + timedelta(hours=hours))


def test_nurse_queue_orders_by_due_time_and_expedited_first_when_tied(api, make_case, nurse):
    late = make_case()
    standard = make_case()
    expedited = make_case(urgency="expedited", expedited_reason="Severe pain")
    _due(late, 50)
    _due(standard, 10)
    AuthorizationRequest.objects.filter(pk=expedited.pk).update(
        decision_due_at=AuthorizationRequest.objects.get(pk=standard.pk).decision_due_at
    )

    body = api.as_user(nurse).get("/api/v1/queues/nurse/").json()

    assert [row["id"] for row in body["results"]] == [str(expedited.pk), str(standard.pk), str(late.pk)]
    assert body["next"] is None and body["previous"] is None


def test_queue_cursor_pages_forward_and_back_without_gaps(api, make_case, nurse, monkeypatch):
    monkeypatch.setattr("reviews.selectors.PAGE_SIZE", 2)
    cases = [make_case() for _ in range(5)]
    for hours, case in enumerate(cases):
        _due(case, hours + 1)
    client = api.as_user(nurse)

    seen, pages, url = [], [], "/api/v1/queues/nurse/"
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    back = client.get(pages[-1]["previous"]).json()

    assert seen == [str(c.pk) for c in cases]
    assert [row["id"] for row in back["results"]] == [str(c.pk) for c in cases[2:4]]


def test_nurse_queue_filters_and_my_cases(api, make_case, nurse, nurse2):
    mine = make_case()
    theirs = make_case()
    expedited = make_case(urgency="expedited", expedited_reason="x")
    case_assign(case_id=mine.pk, actor=nurse)
    case_assign(case_id=theirs.pk, actor=nurse2)
    client = api.as_user(nurse)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/queues/nurse/", params).json()["results"]}

    assert ids(assignee="me") == {str(mine.pk)}
    assert ids(assignee="nurse2") == {str(theirs.pk)}
    assert ids(assignee="none") == {str(expedited.pk)}
    assert ids(urgency="expedited") == {str(expedited.pk)}
    assert ids(status="received") == {str(expedited.pk)}
    assert ids(line_of_business="medicaid") == set()
    assert ids(line_of_business="commercial") == {str(mine.pk), str(theirs.pk), str(expedited.pk)}
    assert ids(service_category="imaging") == set()


def test_physician_queue_shows_routed_cases_only(api, make_case, nurse, physician):
    routed = make_case()
    make_case()
    case_route_to_physician(case_id=routed.pk, actor=nurse, note="n")

    body = api.as_user(physician).get("/api/v1/queues/physician/").json()

    assert [row["id"] for row in body["results"]] == [str(routed.pk)]


def test_queues_refuse_providers_and_bad_cursors(api, provider, nurse):
    assert api.as_user(provider).get("/api/v1/queues/nurse/").status_code == 403
    assert api.as_user(provider).get("/api/v1/queues/appeals/").status_code == 403
    assert api.as_user(nurse).get("/api/v1/queues/appeals/").status_code == 403
    assert api.as_user(nurse).get("/api/v1/queues/nurse/", {"cursor": "garbage"}).status_code == 400


@pytest.mark.parametrize("time_zone", ["America/New_York", "UTC"])
def test_queue_rows_are_the_case_list_shape_key_for_key(
    api, make_case, nurse, nurse2, imaging, surgeon, settings, time_zone
):
    # Given cases with and without practitioners, with and without a reviewer, and a change request
    import json

    from reviews.selectors import QUEUE_ORDER
    from tests.cases.test_api_list_same_body import cases_of_every_row_shape, serializer_rows

    settings.TIME_ZONE = time_zone
    plain, by_surgeon, change = cases_of_every_row_shape(make_case, imaging=imaging, surgeon=surgeon, reviewer=nurse2)

    # When the nurse reads the queue
    body = api.as_user(nurse).get("/api/v1/queues/nurse/").json()

    # Then each row is what CaseListSerializer writes for the case, key for key, in order
    expected = serializer_rows(nurse, AuthorizationRequest.objects.order_by(*QUEUE_ORDER))
    assert json.dumps(body["results"]) == json.dumps(expected)
    assert {row["id"] for row in body["results"]} == {str(plain.pk), str(by_surgeon.pk), str(change.pk)}
    assert any(row["assigned_to"] == "nurse2" for row in body["results"])
    assert any(row["change_of"] == str(plain.pk) for row in body["results"])
