"""The public contract (shared API.md, "Authorizations, stays and changes"): the case's
`authorization` block and `POST /api/v1/authorizations/{id}/changes/` take and show the
contract's names (extra keys are allowed)."""

from datetime import timedelta

import pytest

from cases.models import AuthorizationRequest
from tests.cases.authorization_fixtures import START, authorized_fixture, frozen_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_case_shows_the_authorization_in_the_contracts_shape(api, provider, authorized):
    body = api.as_user(provider).get(f"/api/v1/authorizations/{authorized.case_id}/").json()

    block = body["authorization"]
    assert {"number", "valid_from", "valid_to", "lines"} <= set(block)
    assert block["number"] == authorized.number
    assert block["valid_from"] == START.isoformat()
    assert block["valid_to"] == (START + timedelta(days=29)).isoformat()
    [line] = block["lines"]
    assert {"id", "approved_units", "used_units"} <= set(line)
    assert line["id"] == authorized.lines.get().pk
    assert line["approved_units"] == 6 and line["used_units"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "add_units", "lines": "ID", "reason": "Slow recovery."},
        {"kind": "extend", "lines": "ID", "end_date": "2027-01-15", "reason": "Needs longer."},
    ],
)
def test_a_change_names_lines_by_the_id_the_case_shows_and_answers_201_the_change(api, provider, authorized, body):
    line_id = (
        api.as_user(provider)
        .get(f"/api/v1/authorizations/{authorized.case_id}/")
        .json()["authorization"]["lines"][0]["id"]
    )
    body = {**body, "lines": [{"id": line_id, "units": 4}], "servicing_provider_npi": ""}

    response = api.post(f"/api/v1/authorizations/{authorized.case_id}/changes/", body, format="json")

    assert response.status_code == 201, response.json()
    change = AuthorizationRequest.objects.get(change_of_id=authorized.case_id)
    assert response.json()["id"] == str(change.pk) or response.json()["id"] == change.pk
    assert change.change_kind == body["kind"]
    assert [d["line"] for d in change.change_details["lines"]] == [1]


def test_a_change_naming_an_unknown_line_id_is_400_and_writes_nothing(api, provider, authorized):
    before = AuthorizationRequest.objects.count()
    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{authorized.case_id}/changes/",
        {"kind": "cancel_lines", "lines": [{"id": 999999}], "reason": "Not needed."},
        format="json",
    )
    assert response.status_code == 400
    assert "lines" in str(response.json())
    assert AuthorizationRequest.objects.count() == before
