"""Requests that did not arrive by PAS (the portal, the JSON API, fax, phone, mail) still
answer $inquire: their request is described as a PAS Claim with its Patient, requester and
insurer, so the answer Bundle is built the same way and its references resolve."""

from django.conf import settings

from .models import PasSubmission
from .parsing import NPI_SYSTEM
from .responses import PRODUCT_SYSTEMS as PORTAL_TO_FHIR

CASE_IDENTIFIER_SYSTEM = "urn:um-portal:authorization-request"
MEMBER_IDENTIFIER_SYSTEM = "urn:um-portal:member"


def portal_case_submission(case) -> PasSubmission:
    """An unsaved PasSubmission describing `case` as PAS would have received it."""
    base = f"urn:um-portal:case:{case.pk}"
    urls = {kind: f"{base}:{kind}" for kind in ("claim", "patient", "insurer", "requester")}
    member, requester = case.member, case.requesting_organization
    insurer = {"resourceType": "Organization", "id": "insurer", "name": settings.PLAN_NAME}
    if settings.PAS_PAYER_IDENTIFIERS:
        insurer["identifier"] = [{"system": NPI_SYSTEM, "value": settings.PAS_PAYER_IDENTIFIERS[0]}]
    lines = [line for line in case.lines.all()]
    claim = {
        "resourceType": "Claim",
        "id": str(case.pk),
        "identifier": [{"system": CASE_IDENTIFIER_SYSTEM, "value": case.reference}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "use": "preauthorization",
        "patient": {"reference": urls["patient"]},
        "created": case.received_at.isoformat(),
        "insurer": {"reference": urls["insurer"]},
        "provider": {"reference": urls["requester"]},
        "priority": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/processpriority",
                    "code": "stat" if case.urgency == "expedited" else "normal",
                }
            ]
        },
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Plan coverage"}}],
        "item": [
            {
                "sequence": line.line_number,
                "productOrService": {"coding": [{"system": PORTAL_TO_FHIR[line.code_system], "code": line.code}]},
                "servicedPeriod": {"start": line.start_date.isoformat(), "end": line.end_date.isoformat()},
                "quantity": {"value": line.units},
            }
            for line in lines
        ],
    }
    patient = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"system": MEMBER_IDENTIFIER_SYSTEM, "value": member.member_number}],
        "name": [{"family": member.last_name, "given": [member.first_name]}],
        "birthDate": member.date_of_birth.isoformat(),
    }
    organization = {
        "resourceType": "Organization",
        "id": "requester",
        "identifier": [{"system": NPI_SYSTEM, "value": requester.npi}],
        "name": requester.name,
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": urls["claim"], "resource": claim},
            {"fullUrl": urls["patient"], "resource": patient},
            {"fullUrl": urls["insurer"], "resource": insurer},
            {"fullUrl": urls["requester"], "resource": organization},
        ],
    }
    return PasSubmission(
        case=case,
        kind=PasSubmission.Kind.SUBMIT,
        identifier_system=CASE_IDENTIFIER_SYSTEM,
        identifier_value=case.reference,
        claim_full_url=urls["claim"],
        item_sequences={str(line.line_number): line.line_number for line in lines},
        request_bundle=bundle,
        received_at=case.received_at,
    )
