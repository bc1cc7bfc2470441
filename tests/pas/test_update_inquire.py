"""Updates, cancels, resends and $inquire (issue 14, items 3 and 4): an update changes the
same case through the same services (events, clocks), never a second case; a resend answers
the same case; $inquire answers the caller's own authorizations only."""

import pytest

from cases.models import AuthorizationRequest, CaseEvent
from pas.constraints import inquiry_parameters_problems, response_bundle_problems
from pas.models import PasSubmission
from reviews.services.decisions import case_approve
from tests.factories import UserFactory

from .conftest import INQUIRE, SUBMIT

pytestmark = pytest.mark.django_db
HOMECARE = "Bundle-HomecareAuthorizationBundleExample.json"
UPDATE = "Bundle-HomecareAuthorizationUpdateBundleExample.json"
INQUIRY = "Bundle-PASClaimInquiryBundleExample.json"
CERTIFICATION_TYPE = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-certificationType"


def _codes(bundle: dict) -> dict[int, str]:
    out = {}
    for item in bundle["entry"][0]["resource"].get("item") or []:
        (action,) = [e for e in item["adjudication"][0]["extension"] if e["url"].endswith("/extension-reviewAction")]
        code = next(p for p in action["extension"] if p["url"].endswith("extension-reviewActionCode"))
        out[item["itemSequence"]] = code["valueCodeableConcept"]["coding"][0]["code"]
    return out


@pytest.fixture
def submitted(api, office_user, mapped):
    response = api.as_user(office_user).post(SUBMIT, mapped(HOMECARE), format="json")
    assert response.status_code == 201, response.content
    return AuthorizationRequest.objects.get()


def test_update_example_cancels_one_line_and_adds_another_on_the_same_case(api, office_user, mapped, submitted):
    events_before = CaseEvent.objects.count()

    response = api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")

    assert response.status_code == 201, response.content
    assert AuthorizationRequest.objects.count() == 1
    lines = list(submitted.lines.order_by("line_number"))
    assert [(line.code, line.cancelled_at is not None) for line in lines] == [
        ("G0154", False),
        ("B4184", True),
        ("B4185", False),
    ]
    change = CaseEvent.objects.get(case=submitted, kind="lines_changed")
    assert change.data == {"added": [3], "changed": [], "cancelled": [2]}
    assert CaseEvent.objects.count() > events_before
    body = response.json()
    assert response_bundle_problems(body) == []
    assert _codes(body) == {1: "A4", 2: "C", 3: "A4"}
    assert body["entry"][0]["resource"]["request"]["reference"].endswith("HomecareAuthorizationUpdateExample")


def test_resending_the_update_changes_nothing_more(api, office_user, mapped, submitted):
    api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")
    events = CaseEvent.objects.count()

    again = api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")

    assert again.status_code == 200
    assert CaseEvent.objects.count() == events and submitted.lines.count() == 3
    assert PasSubmission.objects.count() == 2


def test_resending_the_request_answers_the_same_case(api, office_user, mapped, submitted):
    again = api.as_user(office_user).post(SUBMIT, mapped(HOMECARE), format="json")

    assert again.status_code == 200
    assert AuthorizationRequest.objects.count() == 1 and PasSubmission.objects.count() == 1


def test_a_cancelled_line_is_not_decided(api, office_user, mapped, submitted, nurse):
    api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")

    case_approve(case_id=submitted.pk, actor=nurse)
    answer = api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json").json()

    assert _codes(answer) == {1: "A1", 2: "C", 3: "A1"}
    assert submitted.lines.get(line_number=2).outcome == ""


def test_cancel_with_no_items_withdraws_the_request(api, office_user, mapped, submitted):
    cancel = mapped(UPDATE)
    claim = cancel["entry"][0]["resource"]
    claim["identifier"][0]["value"] = "111099-CANCEL"
    claim.pop("item")
    claim["extension"] = [
        {
            "url": CERTIFICATION_TYPE,
            "valueCodeableConcept": {"coding": [{"system": "https://codesystem.x12.org/005010/1322", "code": "3"}]},
        }
    ]

    response = api.as_user(office_user).post(SUBMIT, cancel, format="json")

    assert response.status_code == 201, response.content
    submitted.refresh_from_db()
    assert submitted.status == "withdrawn"
    assert CaseEvent.objects.filter(case=submitted, kind="withdrawn").exists()
    assert set(_codes(response.json()).values()) == {"C"}


def test_update_of_a_decided_request_is_a_conflict_and_writes_nothing(api, office_user, mapped, submitted, nurse):
    case_approve(case_id=submitted.pk, actor=nurse)
    events = CaseEvent.objects.count()

    response = api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")

    assert response.status_code == 409
    assert response.json()["issue"][0]["code"] == "conflict"
    assert CaseEvent.objects.count() == events and submitted.lines.count() == 2


def test_another_office_cannot_update_the_request(api, office_user, mapped, submitted, provider2):
    response = api.as_user(provider2).post(SUBMIT, mapped(UPDATE), format="json")

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"
    assert submitted.lines.count() == 2 and PasSubmission.objects.count() == 1


def test_inquiry_example_answers_the_offices_authorization(api, office_user, mapped, submitted):
    response = api.as_user(office_user).post(INQUIRE, mapped(INQUIRY), format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert inquiry_parameters_problems(body) == []
    (found,) = body["parameter"]
    assert found["name"] == "return"
    assert _codes(found["resource"]) == {1: "A4", 2: "A4"}


def test_inquiry_wrapped_in_parameters_and_after_an_update_returns_the_case_once(api, office_user, mapped, submitted):
    api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")
    wrapped = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": mapped(INQUIRY)}]}

    body = api.as_user(office_user).post(INQUIRE, wrapped, format="json").json()

    assert inquiry_parameters_problems(body) == []
    (found,) = body["parameter"]
    assert _codes(found["resource"]) == {1: "A4", 2: "C", 3: "A4"}


def test_inquiry_from_another_office_or_for_another_member_answers_nothing(
    api, office_user, mapped, submitted, provider2
):
    stranger = api.as_user(provider2).post(INQUIRE, mapped(INQUIRY), format="json")
    assert stranger.status_code == 200 and stranger.json().get("parameter", []) == []

    other_member = mapped(INQUIRY)
    for entry in other_member["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["identifier"][0]["value"] = "M999999"
        if entry["resource"]["resourceType"] == "Coverage":
            entry["resource"]["subscriberId"] = "M999999"
    answer = api.as_user(office_user).post(INQUIRE, other_member, format="json")
    assert answer.status_code == 200 and answer.json().get("parameter", []) == []


def test_a_colleague_at_the_same_office_finds_the_request(api, office_user, mapped, submitted, office):
    from cases.services.providers import provider_user_attach

    colleague = UserFactory(username="ehr-colleague")
    provider_user_attach(user=colleague, organization=office)

    body = api.as_user(colleague).post(INQUIRE, mapped(INQUIRY), format="json").json()

    assert len(body["parameter"]) == 1


def test_inquiry_answer_matches_hl7s_inquiry_response_example_shape(api, office_user, mapped, submitted, nurse):
    from .conftest import example
    from .test_responses_decisions import _shape

    case_approve(case_id=submitted.pk, actor=nurse)

    body = api.as_user(office_user).post(INQUIRE, mapped(INQUIRY), format="json").json()

    ours = body["parameter"][0]["resource"]["entry"][0]["resource"]
    theirs = example("Parameters-PASClaimInquiryOperationResponseExample.json")["parameter"][0]["resource"]
    wanted = _shape(theirs["entry"][0]["resource"])
    assert wanted - _shape(ours) == set()
    # HL7's example names its output parameter responseBundle; the OperationDefinition
    # (Claim-inquiry, out parameter "return") is followed here.
    assert body["parameter"][0]["name"] == "return"


def test_a_request_entered_on_the_portal_answers_an_inquiry_by_its_reference(
    api, office_user, mapped, office, office_practitioner, pas_member, nurse
):
    from datetime import timedelta

    from django.utils import timezone

    from cases.services.intake import case_create

    day = timezone.localdate() + timedelta(days=10)
    case = case_create(
        member=pas_member,
        requesting_organization=office,
        servicing_organization=office,
        service_category="imaging",
        diagnosis_codes=["M17.11"],
        lines=[{"code_system": "CPT", "code": "73721", "units": 1, "start_date": day, "end_date": day}],
        channel="fax",
    )
    case_approve(case_id=case.pk, actor=nurse)
    inquiry = mapped(INQUIRY)
    inquiry["entry"][0]["resource"]["identifier"][0]["value"] = case.reference

    body = api.as_user(office_user).post(INQUIRE, inquiry, format="json").json()

    assert inquiry_parameters_problems(body) == []
    (found,) = body["parameter"]
    claim_response = found["resource"]["entry"][0]["resource"]
    assert claim_response["preAuthRef"] == case.reference
    assert _codes(found["resource"]) == {1: "A1"}
    # Another trace number finds nothing; another office finds nothing.
    inquiry["entry"][0]["resource"]["identifier"][0]["value"] = "someone-elses-trace"
    assert "parameter" not in api.as_user(office_user).post(INQUIRE, inquiry, format="json").json()
