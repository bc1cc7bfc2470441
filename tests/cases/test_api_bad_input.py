"""Bad input answers 400 in the error shape, never 500 (issue 12, item 8): JSON nested a
thousand deep, NUL characters in query filters, provider search and FHIR identifiers, and
a value as long as the validator allows but longer than its column. Under /fhir/ the
answer is an OperationOutcome."""

import json

import pytest
from rest_framework.test import APIClient

from cases.models import AuthorizationRequest
from reviews.models import PeerToPeerRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DEPTH = 1000


def _deep(depth: int = DEPTH) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def _assert_error_shape(response, status=400):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["detail"]
    return body


def _assert_operation_outcome(response, status=400):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return body


def test_deeply_nested_json_on_the_token_endpoint_is_400():
    response = APIClient().post("/api/v1/auth/token/", data=_deep(), content_type="application/json")

    body = _assert_error_shape(response)
    assert "nested" in body["detail"]


def test_deeply_nested_json_on_submit_is_400_and_creates_nothing(api, provider):
    response = api.as_user(provider).post("/api/v1/authorizations/", data=_deep(), content_type="application/json")

    _assert_error_shape(response)
    assert AuthorizationRequest.objects.count() == 0


def test_json_nested_deeper_than_the_limit_but_parseable_is_400_too(api, provider):
    # 200 levels parse in Python; they are still refused before any code walks them.
    response = api.as_user(provider).post("/api/v1/authorizations/", data=_deep(200), content_type="application/json")

    _assert_error_shape(response)


@pytest.mark.parametrize("path", ["/fhir/Claim/$submit", "/fhir/Claim/$inquire"])
@pytest.mark.parametrize("content_type", ["application/fhir+json", "application/json"])
def test_deeply_nested_json_on_fhir_is_an_operation_outcome(api, provider, path, content_type):
    response = api.as_user(provider).post(path, data=_deep(), content_type=content_type)

    body = _assert_operation_outcome(response)
    assert "nested" in body["issue"][0]["diagnostics"]
    assert AuthorizationRequest.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/queues/nurse/?assignee=nurse%00x",
        "/api/v1/queues/nurse/?line_of_business=co%00mmercial",
        "/api/v1/queues/physician/?status=routed%00",
        "/api/v1/authorizations/?member_number=M1%00",
        "/api/v1/authorizations/?assigned_to=%00",
        "/api/v1/providers/?name=Ortho%00",
        "/api/v1/providers/?npi=123%00",
        "/api/v1/members/?name=Mar%00lowe",
    ],
)
def test_nul_in_a_query_filter_is_400_in_the_error_shape(api, nurse, url):
    response = api.as_user(nurse).get(url)

    body = _assert_error_shape(response)
    assert body["code"] == "nul_character"


def test_nul_in_a_page_query_is_400_not_500(client, nurse):
    client.force_login(nurse)

    response = client.get("/reviews/queue/?assignee=a%00b")

    assert response.status_code == 400


def test_nul_in_a_fhir_inquiry_identifier_is_an_operation_outcome(api, provider):
    claim = {"resourceType": "Claim", "identifier": [{"value": "UM-2026-\u0000000001"}]}

    response = api.as_user(provider).post(
        "/fhir/Claim/$inquire", data=json.dumps(claim), content_type="application/fhir+json"
    )

    _assert_operation_outcome(response)


def test_nul_in_a_fhir_member_identifier_is_an_operation_outcome(api, provider, member):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Patient", "identifier": [{"value": "M1\u0000"}]}}],
    }

    response = api.as_user(provider).post(
        "/fhir/Claim/$submit", data=json.dumps(bundle), content_type="application/fhir+json"
    )

    _assert_operation_outcome(response)
    assert AuthorizationRequest.objects.count() == 0


def test_nul_in_a_json_body_is_400_in_the_error_shape(api, provider, payload):
    response = api.as_user(provider).post(
        "/api/v1/authorizations/", payload(member_number="M10\u00000001"), format="json"
    )

    _assert_error_shape(response)
    assert AuthorizationRequest.objects.count() == 0


def test_peer_to_peer_phone_longer_than_its_column_is_400(api, provider, make_case, member, decided):
    # Given a denied case, on which the office may ask for a peer-to-peer talk
    case = make_case(member=member)
    decided(case)
    column = PeerToPeerRequest._meta.get_field("phone").max_length

    # When it gives a phone number the pattern allows but one character longer than the column
    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{case.pk}/peer-to-peer/", {"phone": "+" + "1" * column}, format="json"
    )

    # Then it is told so, and nothing is stored
    body = _assert_error_shape(response)
    assert "phone" in body["errors"]
    assert PeerToPeerRequest.objects.count() == 0


def test_peer_to_peer_phone_at_its_column_limit_is_stored(api, provider, make_case, member, decided):
    case = make_case(member=member)
    decided(case)
    column = PeerToPeerRequest._meta.get_field("phone").max_length

    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{case.pk}/peer-to-peer/", {"phone": "+" + "1" * (column - 1)}, format="json"
    )

    assert response.status_code == 201, response.content[:300]
    assert PeerToPeerRequest.objects.get().phone == "+" + "1" * (column - 1)
