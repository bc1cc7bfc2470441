"""Once reviewers decide, the PAS answer (a resend of the same request, or $inquire) carries
the decision per item in PAS's shape, compared element by element with HL7's response
examples: A1 certified with its number and the authorization period, A6 modified with
`addItem` saying what was authorized, A3 not certified, A4 pended with a
CommunicationRequest saying what is wanted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest
from pas.constraints import response_bundle_problems
from reviews.models import ReasonCode
from reviews.services.decisions import case_approve, case_deny, case_partially_approve
from reviews.services.pends import case_pend, case_route_to_physician
from tests.factories import CriteriaVersionFactory

from .conftest import SUBMIT, example

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
HOMECARE = "Bundle-HomecareAuthorizationBundleExample.json"


def _shape(value, prefix="") -> set[str]:
    """Element paths of a FHIR JSON value: keys, list items merged, extensions by url."""
    paths = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("text", "meta", "id", "language"):
                continue
            if key == "extension" and isinstance(inner, list):
                for extension in inner:
                    here = f"{prefix}extension[{extension.get('url', '').rsplit('/', 1)[-1]}]"
                    paths.add(here)
                    paths |= _shape({k: v for k, v in extension.items() if k != "url"}, here + ".")
                continue
            paths.add(prefix + key)
            paths |= _shape(inner, f"{prefix}{key}.")
    elif isinstance(value, list):
        for inner in value:
            paths |= _shape(inner, prefix)
    return paths


def _example_claim_response(name: str) -> dict:
    return example(name)["entry"][0]["resource"]


def _submitted(api, user, bundle):
    response = api.as_user(user).post(SUBMIT, bundle, format="json")
    assert response.status_code == 201, response.content
    return AuthorizationRequest.objects.get()


def _answer(api, user, bundle) -> dict:
    """The same request sent again: the same case, as it stands now."""
    response = api.as_user(user).post(SUBMIT, bundle, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert response_bundle_problems(body) == []
    assert AuthorizationRequest.objects.count() == 1
    return body


def _action(adjudication) -> tuple[str, dict]:
    (action,) = [e for e in adjudication["extension"] if e["url"].endswith("/extension-reviewAction")]
    parts = {p["url"]: p for p in action["extension"]}
    code = parts[next(u for u in parts if u.endswith("extension-reviewActionCode"))]["valueCodeableConcept"]
    return code["coding"][0]["code"], parts


@pytest.fixture
def criteria(db):
    return CriteriaVersionFactory(effective_from=timezone.localdate() - timedelta(days=30))


def test_approved_request_answers_a1_with_number_and_authorization_period(api, office_user, mapped, nurse):
    bundle = mapped(HOMECARE)
    case = _submitted(api, office_user, bundle)

    case_approve(case_id=case.pk, actor=nurse, rationale="Meets the home health criteria.")
    answer = _answer(api, office_user, bundle)

    claim_response = answer["entry"][0]["resource"]
    case.refresh_from_db()
    assert claim_response["preAuthRef"] == case.reference
    today = timezone.localdate().isoformat()
    assert claim_response["preAuthPeriod"] == {"start": today, "end": today}
    for item in claim_response["item"]:
        code, parts = _action(item["adjudication"][0])
        assert code == "A1" and parts["number"]["valueString"] == case.reference
    # Element by element, at least what HL7's certified example carries.
    example = _example_claim_response("Bundle-ReferralAuthorizationResponseBundleExample.json")
    wanted = {p for p in _shape(example) if "itemAuthorized" not in p and "itemRequestedServiceDate" not in p}
    assert wanted - _shape(claim_response) == set()


def test_denied_request_answers_a3_like_the_rejection_example(api, office_user, mapped, nurse):
    bundle = mapped(HOMECARE)
    case = _submitted(api, office_user, bundle)

    case_deny(
        reason_code="BN01",
        case_id=case.pk,
        actor=nurse,
        basis="benefit",
        reason="Not a covered benefit under this plan.",
    )
    answer = _answer(api, office_user, bundle)

    claim_response = answer["entry"][0]["resource"]
    codes = [_action(item["adjudication"][0])[0] for item in claim_response["item"]]
    assert codes == ["A3", "A3"] and "preAuthRef" not in claim_response
    # The decision's coded reason, as HCR03 (X12 886), on every not-certified item.
    x12 = ReasonCode.objects.get(catalogue__version="2026.1", code="BN01").x12_code
    for item in claim_response["item"]:
        (coding,) = _action(item["adjudication"][0])[1]["reasonCode"]["valueCodeableConcept"]["coding"]
        assert coding == {"system": "https://codesystem.x12.org/external/886", "code": x12}
    assert claim_response["processNote"][0]["text"] == "Not a covered benefit under this plan."
    example = _example_claim_response("Bundle-RejectionResponseBundleExample.json")
    wanted = {p for p in _shape(example) if "claimResponseReviewer" not in p}
    assert wanted - _shape(claim_response) == set()


def test_partially_approved_line_answers_a6_and_add_item_with_what_was_authorized(
    api, office_user, mapped, nurse, physician, criteria
):
    bundle = mapped(HOMECARE)
    bundle["entry"][0]["resource"]["item"][0]["quantity"] = {"value": 8}
    case = _submitted(api, office_user, bundle)
    first, second = case.lines.order_by("line_number")
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Units above the usual course.")

    case_partially_approve(
        reason_code="MN03",
        case_id=case.pk,
        actor=physician,
        reason="Four visits are supported.",
        criteria_ids=[criteria.pk],
        lines=[{"id": str(first.pk), "approved_units": 4}],
        password=PASSWORD,
    )
    answer = _answer(api, office_user, bundle)

    claim_response = answer["entry"][0]["resource"]
    (modified, certified) = claim_response["item"]
    assert _action(modified["adjudication"][0])[0] == "A6"
    assert _action(certified["adjudication"][0])[0] == "A1"
    x12 = ReasonCode.objects.get(catalogue__version="2026.1", code="MN03").x12_code
    assert _action(modified["adjudication"][0])[1]["reasonCode"]["valueCodeableConcept"]["coding"][0]["code"] == x12
    assert "reasonCode" not in _action(certified["adjudication"][0])[1]
    (added,) = claim_response["addItem"]
    assert added["itemSequence"] == [1] and added["quantity"] == {"value": 4}
    assert added["productOrService"]["coding"][0]["code"] == "G0154"
    assert _action(added["adjudication"][0])[0] == "A1"


def test_pended_request_answers_a4_and_says_what_is_wanted(api, office_user, mapped, nurse):
    bundle = mapped(HOMECARE)
    case = _submitted(api, office_user, bundle)
    respond_by = timezone.localdate() + timedelta(days=5)

    case_pend(
        reason_code="PD01",
        case_id=case.pk,
        actor=nurse,
        requested_information="The home health plan of care.",
        respond_by=respond_by,
    )
    answer = _answer(api, office_user, bundle)

    entries = {e["fullUrl"]: e["resource"] for e in answer["entry"]}
    claim_response = answer["entry"][0]["resource"]
    assert [_action(item["adjudication"][0])[0] for item in claim_response["item"]] == ["A4", "A4"]
    (reference,) = claim_response["communicationRequest"]
    request = entries[reference["reference"]]
    assert request["resourceType"] == "CommunicationRequest" and request["status"] == "active"
    assert "The home health plan of care." in request["note"][0]["text"]
    assert respond_by.isoformat() in request["note"][0]["text"]
    example = _example_claim_response("Bundle-ReferralPendingAuthorizationResponseBundleExample.json")
    assert _shape(example) - _shape(claim_response) == set()
