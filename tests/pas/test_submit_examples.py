"""Every request example HL7 publishes for PAS 2.2.1 is accepted with only its identifiers
mapped, creates one case through the intake the pages use, and is answered by a response
Bundle that traces back to the request and carries the review action in PAS's shape."""

import pytest

from cases.models import AuthorizationRequest, CaseEvent
from pas.constraints import response_bundle_problems
from pas.models import PasSubmission

from .conftest import PAYER_NPI, SUBMIT, SUBMIT_EXAMPLES, example

pytestmark = pytest.mark.django_db


def _claim_entry(bundle: dict) -> dict:
    return bundle["entry"][0]


def _by_url(bundle: dict) -> dict:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def _review_action(adjudication: dict) -> dict:
    (action,) = [e for e in adjudication["extension"] if e["url"].endswith("extension-reviewAction")]
    return {
        part["url"].rsplit("-", 1)[-1] if part["url"].startswith("http") else part["url"]: part
        for part in action["extension"]
    }


@pytest.mark.parametrize("name", SUBMIT_EXAMPLES)
def test_every_request_example_is_accepted_and_answered_in_pas_shape(api, office_user, mapped, pas_member, name):
    # Given HL7's example with member, provider and insurer identifiers mapped, nothing else
    request = mapped(name)
    claim = _claim_entry(request)

    # When the office's EHR submits it
    response = api.as_user(office_user).post(SUBMIT, request, format="json")

    # Then one case is created for the member, and the answer is a PAS response Bundle
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    case = AuthorizationRequest.objects.get()
    assert case.member == pas_member and case.channel == "fhir"
    bundle = response.json()
    assert response_bundle_problems(bundle) == []
    assert bundle["identifier"]["value"] and bundle["timestamp"]
    entries = _by_url(bundle)
    claim_response = bundle["entry"][0]["resource"]
    assert claim_response["resourceType"] == "ClaimResponse"
    # request: the submitted Claim, in the Bundle under its original fullUrl, unchanged
    assert claim_response["request"]["reference"] == claim["fullUrl"]
    assert entries[claim["fullUrl"]] == claim["resource"]
    assert claim_response["identifier"] == claim["resource"]["identifier"]
    assert claim_response["type"] == claim["resource"]["type"]
    for name_, kind in (("patient", "Patient"), ("insurer", "Organization"), ("requestor", None)):
        assert entries[claim_response[name_]["reference"]]["resourceType"] == kind or kind is None
    assert entries[claim_response["insurer"]["reference"]]["identifier"][0]["value"] == PAYER_NPI
    # items keep the Claim's sequences; each undecided item is pended (A4) in the complex shape
    sequences = [item["sequence"] for item in claim["resource"]["item"]]
    assert [item["itemSequence"] for item in claim_response["item"]] == sequences
    for item in claim_response["item"]:
        parts = _review_action(item["adjudication"][0])
        coding = parts["reviewActionCode"]["valueCodeableConcept"]["coding"][0]
        assert coding["system"] == "https://codesystem.x12.org/005010/306"
        assert coding["code"] == ("A1" if case.status == "approved" else "A4")
    assert PasSubmission.objects.get().case == case


def test_homecare_example_without_dates_or_diagnosis_records_what_was_assumed(api, office_user, mapped):
    response = api.as_user(office_user).post(SUBMIT, mapped(SUBMIT_EXAMPLES[0]), format="json")

    assert response.status_code == 201, response.content
    case = AuthorizationRequest.objects.get()
    assert case.service_category == "home_health"
    assert list(case.diagnoses.all()) == []
    assert [(line.code_system, line.code) for line in case.lines.all()] == [("HCPCS", "G0154"), ("HCPCS", "B4184")]
    notes = CaseEvent.objects.filter(case=case, kind="note_added").values_list("message", flat=True)
    assert any("no date of service" in note for note in notes)


@pytest.mark.parametrize(
    ("name", "code", "date_"),
    [
        ("Bundle-MedicalServicesAuthorizationBundleExample.json", "99212", "2005-05-10"),
        ("Bundle-SurgicalRequestBundleExample.json", "33510", "2020-07-02"),
    ],
)
def test_cpt_code_sent_as_hcpcs_is_accepted_as_cpt_and_the_assumption_noted(
    api, office_user, mapped, name, code, date_
):
    response = api.as_user(office_user).post(SUBMIT, mapped(name), format="json")

    assert response.status_code == 201, response.content
    line = AuthorizationRequest.objects.get().lines.get()
    assert (line.code_system, line.code, line.start_date.isoformat()) == ("CPT", code, date_)
    notes = CaseEvent.objects.filter(kind="note_added").values_list("message", flat=True)
    assert any(f"{code} was sent as HCPCS; read as CPT" in note for note in notes)


def test_surgical_example_dangling_practitioner_is_tolerated_and_noted(api, office_user, mapped, office_practitioner):
    response = api.as_user(office_user).post(SUBMIT, mapped("Bundle-SurgicalRequestBundleExample.json"), format="json")

    assert response.status_code == 201, response.content
    case = AuthorizationRequest.objects.get()
    assert case.service_category == "inpatient_admission"
    assert case.servicing_practitioner == office_practitioner
    assert case.diagnoses.get().code == "C18.9"
    notes = CaseEvent.objects.filter(kind="note_added").values_list("message", flat=True)
    assert any("not in the Bundle" in note for note in notes)


def test_referral_example_is_urgent_by_level_of_service_and_keeps_its_x12_service(api, office_user, mapped):
    response = api.as_user(office_user).post(
        SUBMIT, mapped("Bundle-ReferralAuthorizationBundleExample.json"), format="json"
    )

    assert response.status_code == 201, response.content
    case = AuthorizationRequest.objects.get()
    assert case.urgency == "expedited" and "level of service U" in case.expedited_reason
    assert case.service_category == "specialty_referral"
    line = case.lines.get()
    assert (line.code_system, line.code, line.units) == ("X12", "3", 1)
    # the item's trace number is echoed on the answer
    item = response.json()["entry"][0]["resource"]["item"][0]
    traces = [e for e in item["extension"] if e["url"].endswith("extension-itemTraceNumber")]
    assert traces[0]["valueIdentifier"]["value"] == "1122334"


def test_the_request_examples_are_unchanged_apart_from_identifiers(mapped):
    # The mapping touches identifiers only: the Claims are byte for byte HL7's.
    for name in SUBMIT_EXAMPLES:
        assert _claim_entry(mapped(name)) == _claim_entry(example(name))
