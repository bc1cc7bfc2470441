"""Issue 19, item 3 through HTTP: `POST /api/v1/authorizations/{id}/changes/`, the case page
form, and the nurse queue marking changes. Bad input is a 4xx with a clear message and
writes nothing; another office gets 404 and writes nothing."""

import pytest
from django.urls import reverse

from cases.models import AuthorizationRequest, CaseEvent
from reviews.models import AuthorizationLine, AuthorizationVersion
from reviews.services.decisions import case_approve, case_deny
from tests.cases.authorization_fixtures import START, authorized_fixture, frozen_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _url(case_id) -> str:
    return f"/api/v1/authorizations/{case_id}/changes/"


def written() -> tuple:
    return (
        AuthorizationRequest.objects.count(),
        CaseEvent.objects.count(),
        AuthorizationVersion.objects.count(),
        list(AuthorizationLine.objects.values_list("approved_units", "end_date", "cancelled_at")),
    )


def test_an_office_asks_for_more_visits_and_gets_the_change_request(api, provider, authorized):
    response = api.as_user(provider).post(
        _url(authorized.case_id),
        {"kind": "add_units", "lines": [{"line_number": 1, "units": 4}], "reason": "Slow recovery."},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    change = AuthorizationRequest.objects.get(change_of=authorized.case)
    assert body["id"] == str(change.pk) and body["reference"] == change.reference
    assert body["change_kind"] == "add_units" and body["change_of"] == str(authorized.case_id)
    assert body["change"]["of"]["reference"] == authorized.case.reference
    assert body["change"]["lines"] == [{"line": 1, "units": 4, "change_line": 1}]
    assert body["channel"] == "api" and body["clocks"][0]["rule"] == "md_insurance"
    original = api.as_user(provider).get(f"/api/v1/authorizations/{authorized.case_id}/").json()
    assert [c["reference"] for c in original["authorization"]["change_requests"]] == [change.reference]


def test_the_original_shows_its_history_once_the_change_is_approved(api, provider, nurse, authorized):
    api.as_user(provider).post(
        _url(authorized.case_id), {"kind": "extend", "end_date": "2027-01-15", "reason": "Not healed."}, format="json"
    )
    change = AuthorizationRequest.objects.get(change_of=authorized.case)
    case_approve(case_id=change.pk, actor=nurse)

    block = api.as_user(provider).get(f"/api/v1/authorizations/{authorized.case_id}/").json()["authorization"]

    assert block["valid_to"] == "2027-01-15" and block["version"] == 2
    assert [(v["number"], v["kind"], v["valid_to"]) for v in block["versions"]] == [
        (1, "issued", "2026-12-30"),
        (2, "extend", "2027-01-15"),
    ]
    assert block["versions"][1]["change_request"]["reference"] == change.reference
    assert block["versions"][1]["decision"]["outcome"] == "approved"


def test_cancelling_a_line_answers_the_original_with_the_line_cancelled(api, provider, authorized):
    response = api.as_user(provider).post(
        _url(authorized.case_id), {"kind": "cancel_lines", "lines": [{"line": 1}], "reason": "Moved away."},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201
    assert response.json()["id"] == str(authorized.case_id)
    assert response.json()["authorization"]["lines"][0]["cancelled"] is True


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "add_units", "lines": [{"line": 1, "units": -2}]}, "lines", "greater than or equal to 1"),
        ({"kind": "add_units", "lines": [{"line": 7, "units": 2}]}, "lines", "must be the number of a line"),
        ({"kind": "extend", "end_date": "2026-11-20"}, "end_date", "before line 1's start"),
        ({"kind": "extend", "end_date": "20-1-2027"}, "end_date", "Date has wrong format"),
        ({"kind": "more"}, "kind", "not a valid choice"),
        ({"kind": "add_units", "lines": [{"line": 1, "units": 2}], "reason": ""}, "reason", "blank"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message_and_nothing_written(api, provider, authorized, body, field, message):
    before = written()

    response = api.as_user(provider).post(_url(authorized.case_id), {"reason": "Because.", **body}, format="json")

    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["detail"] and message in str(answer["errors"][field]), answer
    assert written() == before


def test_a_change_to_a_denied_case_is_a_409_with_a_message_and_nothing_written(api, provider, nurse, make_case):
    case = make_case()
    case_deny(reason_code="BN01", case_id=case.pk, actor=nurse, basis="benefit", reason="Excluded.")
    before = written()

    response = api.as_user(provider).post(
        _url(case.pk), {"kind": "add_units", "lines": [{"line": 1, "units": 1}], "reason": "More."}, format="json"
    )

    assert response.status_code == 409
    assert "denied: it holds no authorization to change" in response.json()["detail"]
    assert response.json()["code"] == "no_authorization"
    assert written() == before


def test_a_second_change_while_one_is_open_is_a_409(api, provider, authorized):
    body = {"kind": "add_units", "lines": [{"line": 1, "units": 1}], "reason": "More."}
    assert api.as_user(provider).post(_url(authorized.case_id), body, format="json").status_code == 201
    before = written()

    again = api.as_user(provider).post(_url(authorized.case_id), body, format="json")

    assert again.status_code == 409 and again.json()["code"] == "change_open"
    assert written() == before


def test_the_same_idempotency_key_creates_one_change(api, provider, authorized):
    body = {"kind": "add_units", "lines": [{"line": 1, "units": 1}], "reason": "More."}
    first = api.as_user(provider).post(_url(authorized.case_id), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.as_user(provider).post(_url(authorized.case_id), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert AuthorizationRequest.objects.filter(change_of=authorized.case).count() == 1


def test_another_office_gets_404_and_nothing_written(api, provider2, authorized):
    before = written()

    response = api.as_user(provider2).post(
        _url(authorized.case_id), {"kind": "extend", "end_date": "2027-01-15", "reason": "x"}, format="json"
    )

    assert response.status_code == 404
    assert written() == before


def test_another_office_cannot_read_the_change_request_either(api, provider, provider2, authorized):
    api.as_user(provider).post(
        _url(authorized.case_id), {"kind": "extend", "end_date": "2027-01-15", "reason": "x"}, format="json"
    )
    change = AuthorizationRequest.objects.get(change_of=authorized.case)

    assert api.as_user(provider2).get(f"/api/v1/authorizations/{change.pk}/").status_code == 404


def test_the_page_form_extends_and_says_which_request_was_made(client, provider, authorized):
    client.force_login(provider)

    response = client.post(
        reverse("cases:authorization_change", args=[authorized.case_id]),
        {"kind": "extend", "end_date": "2027-01-15", "reason": "Wound not healed."},
        follow=True,
    )

    change = AuthorizationRequest.objects.get(change_of=authorized.case)
    assert f"Change request {change.reference} was sent" in response.content.decode()
    assert change.channel == "portal" and change.change_kind == "extend"


def test_the_page_form_refuses_negative_units_and_writes_nothing(client, provider, authorized):
    client.force_login(provider)
    before = written()

    response = client.post(
        reverse("cases:authorization_change", args=[authorized.case_id]),
        {"kind": "add_units", "line": "1", "units": "-3", "reason": "More."},
        follow=True,
    )

    assert "Units or visits to add: Ensure this value is greater than or equal to 1." in response.content.decode()
    assert written() == before


def test_the_nurse_queue_marks_changes(api, client, provider, nurse, authorized, make_case):
    api.as_user(provider).post(
        _url(authorized.case_id), {"kind": "extend", "end_date": "2027-01-15", "reason": "x"}, format="json"
    )
    change = AuthorizationRequest.objects.get(change_of=authorized.case)
    plain = make_case()
    client.force_login(nurse)

    page = client.get(reverse("reviews:nurse_queue")).content.decode()
    rows = {r["reference"]: r for r in api.as_user(nurse).get("/api/v1/queues/nurse/").json()["results"]}

    assert "Change: Extend the end date" in page
    assert rows[change.reference]["change_kind"] == "extend"
    assert rows[change.reference]["change_of"] == str(authorized.case_id)
    assert rows[plain.reference]["change_kind"] is None


def test_the_review_page_shows_what_the_change_asks(client, provider, nurse, authorized, api):
    api.as_user(provider).post(
        _url(authorized.case_id), {"kind": "add_units", "lines": [{"line": 1, "units": 3}], "reason": "Slow."},
        format="json",
    )  # fmt: skip
    change = AuthorizationRequest.objects.get(change_of=authorized.case)
    client.force_login(nurse)

    page = client.get(reverse("reviews:case", args=[change.pk])).content.decode()

    assert "Add units or visits" in page and authorized.number in page and "add 3 units" in page
    assert authorized.case.reference in page
