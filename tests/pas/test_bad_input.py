"""Bad input under /fhir/ is a 4xx OperationOutcome with a FHIR IssueType code and the FHIR
content type, and writes nothing: malformed JSON, a wrong resource type, dangling
references, an unknown member, a foreign provider, an oversize Bundle; and any other path
or method is an OperationOutcome too, never an HTML page."""

import json

import pytest
from rest_framework.test import APIClient

from cases.models import AuthorizationRequest, CaseEvent
from pas.constraints import operation_outcome_problems
from pas.models import PasSubmission
from tests.factories import OrganizationFactory, valid_npi

from .conftest import SUBMIT

pytestmark = pytest.mark.django_db
REFERRAL = "Bundle-ReferralAuthorizationBundleExample.json"


def _nothing_written():
    return (AuthorizationRequest.objects.count(), CaseEvent.objects.count(), PasSubmission.objects.count()) == (0, 0, 0)


def _outcome(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert operation_outcome_problems(body) == []
    assert body["issue"][0]["code"] == code, body
    return body


def _post_raw(user, body: bytes, content_type="application/fhir+json"):
    client = APIClient()
    client.force_authenticate(user=user)
    return client.post(SUBMIT, data=body, content_type=content_type)


def test_malformed_json_is_a_structure_outcome(office_user):
    response = _post_raw(office_user, b'{"resourceType": "Bundle", "entry": [')

    _outcome(response, 400, "structure")
    assert _nothing_written()


def test_wrong_resource_type_is_refused(api, office_user, mapped):
    claim = mapped(REFERRAL)["entry"][0]["resource"]

    response = api.as_user(office_user).post(SUBMIT, claim, format="json")

    body = _outcome(response, 400, "structure")
    assert "this is Claim" in body["issue"][0]["diagnostics"]
    assert _nothing_written()


def test_invalid_fhir_structure_is_refused(api, office_user, mapped):
    bundle = mapped(REFERRAL)
    bundle["entry"][0]["resource"]["item"][0]["sequence"] = "first"

    _outcome(api.as_user(office_user).post(SUBMIT, bundle, format="json"), 400, "structure")
    assert _nothing_written()


@pytest.mark.parametrize(("element", "expression"), [("patient", "Claim.patient"), ("provider", "Claim.provider")])
def test_dangling_reference_is_refused(api, office_user, mapped, element, expression):
    bundle = mapped(REFERRAL)
    bundle["entry"][0]["resource"][element] = {"reference": "Patient/nowhere"}

    body = _outcome(api.as_user(office_user).post(SUBMIT, bundle, format="json"), 400, "invalid")
    assert body["issue"][0]["expression"] == [expression]
    assert _nothing_written()


def test_unknown_member_is_not_found_and_nothing_written(api, office_user, mapped):
    bundle = mapped(REFERRAL)
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Coverage":
            entry["resource"]["subscriberId"] = "NOBODY"
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["identifier"][0]["value"] = "NOBODY"

    _outcome(api.as_user(office_user).post(SUBMIT, bundle, format="json"), 400, "not-found")
    assert _nothing_written()


def test_member_date_of_birth_is_compared_when_given(api, office_user, mapped, pas_member):
    bundle = mapped(REFERRAL)
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["birthDate"] = "1900-01-01"

    _outcome(api.as_user(office_user).post(SUBMIT, bundle, format="json"), 400, "not-found")
    patient["birthDate"] = pas_member.date_of_birth.isoformat()
    assert api.as_user(office_user).post(SUBMIT, bundle, format="json").status_code == 201


def test_foreign_provider_is_forbidden_and_nothing_written(api, office_user, mapped):
    # The requester and care team are another office's: this office may not submit for them.
    stranger = OrganizationFactory(name="Someone Else's Practice")
    bundle = mapped(REFERRAL)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] in ("Organization", "Practitioner") and resource["id"] != "InsurerExample":
            resource["identifier"][0]["value"] = stranger.npi

    response = api.as_user(office_user).post(SUBMIT, bundle, format="json")

    assert response.status_code in (400, 403)
    _outcome(response, response.status_code, "forbidden" if response.status_code == 403 else "business-rule")
    assert _nothing_written()


def test_request_to_another_payer_is_refused(api, office_user, mapped):
    bundle = mapped(REFERRAL)
    insurer = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "InsurerExample")
    insurer["identifier"][0]["value"] = valid_npi(12345)

    _outcome(api.as_user(office_user).post(SUBMIT, bundle, format="json"), 400, "business-rule")
    assert _nothing_written()


def test_oversize_bundle_is_refused(api, office_user, mapped, settings):
    settings.PAS_MAX_BUNDLE_ENTRIES = 5
    bundle = mapped(REFERRAL)

    _outcome(api.as_user(office_user).post(SUBMIT, bundle, format="json"), 413, "too-costly")
    assert _nothing_written()


def test_oversize_body_is_refused_before_it_is_read(office_user, mapped, settings):
    settings.PAS_MAX_BUNDLE_BYTES = 10_000
    body = json.dumps(mapped(REFERRAL)).encode()
    assert len(body) > 10_000

    _outcome(_post_raw(office_user, body), 413, "too-costly")
    assert _nothing_written()


def test_a_role_that_may_not_submit_is_forbidden_before_the_body_is_read(api, physician):
    _outcome(api.as_user(physician).post(SUBMIT, {"not": "read"}, format="json"), 403, "forbidden")


def test_anonymous_is_a_login_outcome():
    _outcome(APIClient().post(SUBMIT, {}, format="json"), 401, "login")


def test_unknown_fhir_path_and_wrong_method_are_outcomes_not_html(api, office_user):
    client = api.as_user(office_user)
    _outcome(client.get("/fhir/Patient/123", HTTP_ACCEPT="text/html"), 404, "not-supported")
    _outcome(client.get(SUBMIT, HTTP_ACCEPT="text/html"), 405, "not-supported")


def test_form_encoded_body_is_not_supported(office_user):
    response = _post_raw(office_user, json.dumps({"a": 1}).encode(), content_type="text/plain")

    _outcome(response, 415, "not-supported")
