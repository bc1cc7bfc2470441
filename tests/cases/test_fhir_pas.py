"""Da Vinci PAS over FHIR: $submit creates the same case as the JSON API, $inquire answers
its current ClaimResponse; errors are OperationOutcomes; strangers get 404 and nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseEvent
from um_portal.models import AccessLog

SUBMIT = "/fhir/Claim/$submit"
INQUIRE = "/fhir/Claim/$inquire"


@pytest.fixture
def pas_bundle(member, surgeon, ortho):
    def _bundle(**claim_overrides):
        start = (timezone.localdate() + timedelta(days=20)).isoformat()
        claim = {
            "resourceType": "Claim",
            "status": "active",
            "type": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]
            },
            "use": "preauthorization",
            "patient": {"reference": "Patient/p1"},
            "created": timezone.now().isoformat(),
            "insurer": {"display": "Mid-Atlantic Health Plan"},
            "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Choice PPO"}}],
            "provider": {"reference": "Practitioner/dr1"},
            "priority": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]
            },
            "careTeam": [{"sequence": 1, "provider": {"reference": "Organization/org1"}}],
            "diagnosis": [
                {
                    "sequence": 1,
                    "diagnosisCodeableConcept": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]
                    },
                }
            ],
            "supportingInfo": [
                {"sequence": 1, "category": {"text": "note"}, "valueString": "Failed 12 weeks of physical therapy."}
            ],
            "item": [
                {
                    "sequence": 1,
                    "category": {"coding": [{"system": "https://codesystem.x12.org/005010/1365", "code": "2"}]},
                    "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "27447"}]},
                    "quantity": {"value": 1},
                    "servicedDate": start,
                }
            ],
        }
        claim.update(claim_overrides)
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": "urn:uuid:claim", "resource": claim},
                {
                    "resource": {
                        "resourceType": "Patient",
                        "id": "p1",
                        "identifier": [
                            {
                                "type": {"coding": [{"code": "MB"}]},
                                "system": "urn:plan:member",
                                "value": member.member_number,
                            }
                        ],
                        "birthDate": member.date_of_birth.isoformat(),
                    }
                },
                {
                    "resource": {
                        "resourceType": "Practitioner",
                        "id": "dr1",
                        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": surgeon.npi}],
                    }
                },
                {
                    "resource": {
                        "resourceType": "Organization",
                        "id": "org1",
                        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": ortho.npi}],
                    }
                },
            ],
        }

    return _bundle


def _claim_response(body):
    assert body["resourceType"] == "Bundle"
    return body["entry"][0]["resource"]


@pytest.mark.django_db
def test_submit_creates_the_case_through_the_intake_service(api, provider, pas_bundle, member):
    response = api.as_user(provider).post(SUBMIT, pas_bundle(), format="json")

    assert response.status_code == 201, response.content
    claim_response = _claim_response(response.json())
    case = AuthorizationRequest.objects.get()
    assert claim_response["resourceType"] == "ClaimResponse"
    assert claim_response["preAuthRef"] == case.reference
    assert claim_response["outcome"] == "queued"
    assert (
        claim_response["item"][0]["adjudication"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
        == "A4"
    )
    assert (case.channel, case.member, case.service_category) == ("fhir", member, "outpatient_procedure")
    assert [line.code for line in case.lines.all()] == ["27447"]
    assert case.clinical_summary == "Failed 12 weeks of physical therapy."
    assert case.events.filter(kind=CaseEvent.Kind.SUBMITTED).exists()


@pytest.mark.django_db
def test_stat_priority_makes_an_expedited_request(api, provider, pas_bundle):
    bundle = pas_bundle(
        priority={"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "stat"}]}
    )
    assert api.as_user(provider).post(SUBMIT, bundle, format="json").status_code == 201
    case = AuthorizationRequest.objects.get()
    assert case.urgency == "expedited" and "stat" in case.expedited_reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"use": "claim"}, "use must be 'preauthorization'"),
        ({"patient": {"reference": "Patient/nobody"}}, "does not point to a resource"),
        ({"item": []}, "no item"),
    ],
)
def test_invalid_claims_answer_an_operation_outcome_and_write_nothing(api, provider, pas_bundle, change, message):
    response = api.as_user(provider).post(SUBMIT, pas_bundle(**change), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert message in body["issue"][0]["diagnostics"]
    assert AuthorizationRequest.objects.count() == 0


@pytest.mark.django_db
def test_intake_checks_apply_to_fhir_too(api, provider, pas_bundle):
    bundle = pas_bundle()
    bundle["entry"][1]["resource"]["identifier"][0]["value"] = "NOPE999"

    response = api.as_user(provider).post(SUBMIT, bundle, format="json")

    assert response.status_code == 400
    diagnostics = " ".join(issue["diagnostics"] for issue in response.json()["issue"])
    assert "member" in diagnostics.lower()
    assert AuthorizationRequest.objects.count() == 0


@pytest.mark.django_db
def test_not_a_bundle_is_a_clear_400(api, provider):
    response = api.as_user(provider).post(SUBMIT, {"resourceType": "Claim"}, format="json")
    assert response.status_code == 400
    assert "Bundle" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.django_db
def test_invalid_fhir_names_the_field(api, provider, pas_bundle):
    bundle = pas_bundle()
    del bundle["entry"][0]["resource"]["insurance"]
    response = api.as_user(provider).post(SUBMIT, bundle, format="json")
    assert response.status_code == 400
    assert "insurance" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.django_db
def test_inquire_answers_the_current_claim_response_and_logs_the_read(api, provider, pas_bundle):
    api.as_user(provider).post(SUBMIT, pas_bundle(), format="json")
    case = AuthorizationRequest.objects.get()
    inquiry = pas_bundle(identifier=[{"system": "urn:um-portal:reference", "value": case.reference}])

    response = api.post(INQUIRE, inquiry, format="json")

    assert response.status_code == 200
    assert _claim_response(response.json())["preAuthRef"] == case.reference
    assert AccessLog.objects.filter(object_id=str(case.pk), how="api").exists()


@pytest.mark.django_db
def test_inquire_by_a_stranger_is_404_and_writes_nothing(api, provider, provider2, pas_bundle):
    api.as_user(provider).post(SUBMIT, pas_bundle(), format="json")
    case = AuthorizationRequest.objects.get()
    logs = AccessLog.objects.count()
    inquiry = pas_bundle(identifier=[{"value": case.reference}])

    response = api.as_user(provider2).post(INQUIRE, inquiry, format="json")

    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"
    assert AccessLog.objects.count() == logs


@pytest.mark.django_db
def test_fhir_needs_authentication(client, pas_bundle):
    response = client.post(SUBMIT, pas_bundle(), content_type="application/fhir+json")
    assert response.status_code in (401, 403)
    assert response.json()["resourceType"] == "OperationOutcome"
