"""Da Vinci Prior Authorization Support (PAS), the part this portal speaks.

`POST /fhir/Claim/$submit` takes a PAS request Bundle (a Claim with use =
preauthorization, the Patient, the providers) and creates the same case as the JSON API,
through the same intake service; `POST /fhir/Claim/$inquire` answers the current
ClaimResponse of an earlier submission. Resources are parsed and built with
fhir.resources (FHIR R4B models, wire-compatible with the R4 resources PAS profiles).
"""

from datetime import date

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claimresponse import ClaimResponse
from pydantic import ValidationError as PydanticValidationError

from um_portal.exceptions import ValidationFailed

from .models import AuthorizationRequest, CaseStatus, ServiceCategory, Urgency

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ICD10_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"}
CODE_SYSTEMS = {
    "http://www.ama-assn.org/go/cpt": "CPT",
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs": "HCPCS",
    "urn:oid:2.16.840.1.113883.6.285": "HCPCS",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HCPCS",
}
POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
CASE_IDENTIFIER_SYSTEM = "urn:um-portal:authorization-request"
# X12 service type codes (the PAS item category) to the portal's service categories.
X12_SERVICE_TYPES = {
    "1": ServiceCategory.OUTPATIENT_PROCEDURE,
    "2": ServiceCategory.OUTPATIENT_PROCEDURE,
    "3": ServiceCategory.SPECIALTY_REFERRAL,
    "4": ServiceCategory.IMAGING,
    "5": ServiceCategory.LABORATORY,
    "12": ServiceCategory.DME,
    "42": ServiceCategory.HOME_HEALTH,
    "48": ServiceCategory.INPATIENT_ADMISSION,
    "AD": ServiceCategory.POST_ACUTE,
    "98": ServiceCategory.PRIMARY_CARE_FOLLOW_UP,
}
# X12 306 review action codes, as PAS reports them per item.
REVIEW_ACTION = {"pended": "A4", "approved": "A1", "partially_approved": "A6", "denied": "A3"}
REVIEW_ACTION_URL = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"


def _fail(message: str, field: str = "Claim") -> None:
    raise ValidationFailed(message, code="invalid_fhir", errors={field: [message]})


def _bundle(payload) -> Bundle:
    if not isinstance(payload, dict) or payload.get("resourceType") != "Bundle":
        _fail("Send a FHIR Bundle (resourceType Bundle) holding the Claim.", "Bundle")
    try:
        return Bundle.model_validate(payload)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        _fail(f"The Bundle is not valid FHIR: {where}: {first.get('msg')}.", "Bundle")


def _resources(bundle: Bundle) -> tuple[dict, list]:
    """Resources by every name a reference may use (fullUrl, Type/id), and the list."""
    by_ref, resources = {}, []
    for entry in bundle.entry or []:
        resource = entry.resource
        if resource is None:
            continue
        resources.append(resource)
        if entry.fullUrl:
            by_ref[entry.fullUrl] = resource
        if getattr(resource, "id", None):
            by_ref[f"{resource.get_resource_type()}/{resource.id}"] = resource
    return by_ref, resources


def _claim(resources: list):
    claims = [r for r in resources if r.get_resource_type() == "Claim"]
    if len(claims) != 1:
        _fail("The Bundle must hold exactly one Claim.")
    return claims[0]


def _resolve(by_ref: dict, reference, what: str):
    ref = getattr(reference, "reference", None)
    if not ref or ref not in by_ref:
        _fail(f"The Claim's {what} reference ({ref or 'missing'}) does not point to a resource in the Bundle.", what)
    return by_ref[ref]


def _npi(resource, what: str) -> str:
    if resource.get_resource_type() == "PractitionerRole":
        _fail(f"Give the {what} as a Practitioner or Organization with an NPI identifier.", what)
    for identifier in resource.identifier or []:
        if identifier.system == NPI_SYSTEM and identifier.value:
            return identifier.value
    _fail(f"The {what} has no NPI identifier (system {NPI_SYSTEM}).", what)


def _member_number(patient) -> str:
    identifiers = patient.identifier or []
    for identifier in identifiers:
        codes = [c.code for c in (identifier.type.coding or [])] if identifier.type else []
        if "MB" in codes and identifier.value:
            return identifier.value
    if identifiers and identifiers[0].value:
        return identifiers[0].value
    _fail("The Patient has no member identifier (an identifier of type MB).", "patient")


def _coding(concept, systems) -> tuple[str, str] | None:
    for coding in (concept.coding or []) if concept else []:
        if coding.system in systems and coding.code:
            return coding.system, coding.code
    return None


def _service_category(claim) -> str:
    for item in claim.item or []:
        for coding in (item.category.coding or []) if item.category else []:
            if coding.code in ServiceCategory.values:
                return coding.code
            if coding.code in X12_SERVICE_TYPES:
                return X12_SERVICE_TYPES[coding.code]
    _fail(
        "Give each item a category: an X12 service type code (e.g. 2 surgical, 4 imaging) "
        "or one of the portal's service categories.",
        "item.category",
    )


def _lines(claim) -> list[dict]:
    if not claim.item:
        _fail("The Claim has no item: list the services requested.", "item")
    lines = []
    for item in claim.item:
        found = _coding(item.productOrService, CODE_SYSTEMS)
        if found is None:
            _fail(
                f"Item {item.sequence}: give a CPT or HCPCS code (systems {', '.join(sorted(CODE_SYSTEMS))}).", "item"
            )
        system, code = found
        if item.servicedPeriod is not None:
            start, end = item.servicedPeriod.start, item.servicedPeriod.end or item.servicedPeriod.start
        else:
            start = end = item.servicedDate
        if start is None:
            _fail(f"Item {item.sequence}: give servicedDate or servicedPeriod.", "item")
        lines.append(
            {
                "code_system": CODE_SYSTEMS[system],
                "code": code,
                "units": int(item.quantity.value) if item.quantity and item.quantity.value else 1,
                "start_date": start.date() if hasattr(start, "date") else date.fromisoformat(str(start)[:10]),
                "end_date": end.date() if hasattr(end, "date") else date.fromisoformat(str(end)[:10]),
            }
        )
    return lines


def pas_submission_parse(payload) -> dict:
    """The intake service's keyword arguments from a PAS request Bundle."""
    bundle = _bundle(payload)
    by_ref, resources = _resources(bundle)
    claim = _claim(resources)
    if claim.use != "preauthorization":
        _fail("The Claim's use must be 'preauthorization'.", "use")
    patient = _resolve(by_ref, claim.patient, "patient")
    requester = _resolve(by_ref, claim.provider, "provider")
    servicer = requester
    for member in claim.careTeam or []:
        servicer = _resolve(by_ref, member.provider, "careTeam.provider")
        break
    diagnoses = [
        found[1]
        for diagnosis in claim.diagnosis or []
        if (found := _coding(diagnosis.diagnosisCodeableConcept, ICD10_SYSTEMS))
    ]
    priority = _coding(claim.priority, {"http://terminology.hl7.org/CodeSystem/processpriority"})
    expedited = bool(priority and priority[1] == "stat")
    notes = [info.valueString for info in claim.supportingInfo or [] if getattr(info, "valueString", None)]
    lines = _lines(claim)
    place = None
    for item in claim.item or []:
        place = _coding(
            item.locationCodeableConcept,
            {"https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"},
        )
        if place:
            break
    return {
        "member_number": _member_number(patient),
        "member_date_of_birth": patient.birthDate,
        "requesting_provider_npi": _npi(requester, "provider"),
        "servicing_provider_npi": _npi(servicer, "careTeam.provider"),
        "service_category": _service_category(claim),
        "urgency": Urgency.EXPEDITED if expedited else Urgency.STANDARD,
        "expedited_reason": ("Submitted as urgent (priority stat). " + " ".join(notes)).strip() if expedited else "",
        "diagnosis_codes": diagnoses,
        "lines": lines,
        "clinical_summary": "\n".join(notes),
        "place_of_service": place[1] if place else "",
    }


def pas_inquiry_reference(payload) -> str:
    """The case an inquiry Bundle asks about: its reference (preAuthRef) or case id."""
    bundle = _bundle(payload)
    _, resources = _resources(bundle)
    claim = _claim(resources)
    for identifier in claim.identifier or []:
        if identifier.value:
            return identifier.value
    _fail("The inquiry Claim needs an identifier: the case reference (e.g. UM-2026-000123) or its id.", "identifier")


def claim_response_bundle(*, case: AuthorizationRequest) -> dict:
    """A PAS response Bundle with the case's current ClaimResponse."""
    decided = case.status in (CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED, CaseStatus.DENIED)
    outcome = "complete" if decided or case.status == CaseStatus.WITHDRAWN else "queued"
    items = []
    for line in case.lines.all():
        action = REVIEW_ACTION.get(line.outcome or "pended", "A4")
        items.append(
            {
                "itemSequence": line.line_number,
                "adjudication": [
                    {
                        "category": {"coding": [{"code": "submitted"}]},
                        "value": line.units,
                        "extension": [
                            {"url": REVIEW_ACTION_URL, "valueCodeableConcept": {"coding": [{"code": action}]}}
                        ],
                    }
                ]
                + (
                    [{"category": {"coding": [{"code": "eligible"}]}, "value": line.approved_units}]
                    if line.approved_units is not None
                    else []
                ),
            }
        )
    response = ClaimResponse.model_validate(
        {
            "resourceType": "ClaimResponse",
            "id": str(case.pk),
            "identifier": [{"system": CASE_IDENTIFIER_SYSTEM, "value": str(case.pk)}],
            "status": "active",
            "type": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]
            },
            "use": "preauthorization",
            "patient": {"identifier": {"value": case.member.member_number}, "display": case.member.name},
            "created": timezone.now().isoformat(),
            "insurer": {"display": settings.PLAN_NAME},
            "outcome": outcome,
            "disposition": case.get_status_display(),
            "preAuthRef": case.reference,
            "item": items or None,
        }
    )
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": [
                {
                    "fullUrl": f"urn:uuid:{case.pk}",
                    "resource": response.model_dump(mode="json", exclude_none=True),
                }
            ],
        }
    )
    return bundle.model_dump(mode="json", exclude_none=True)


def operation_outcome(*, message: str, code: str = "invalid", errors: dict | None = None) -> dict:
    issues = [{"severity": "error", "code": code, "diagnostics": message}]
    for field, messages in (errors or {}).items():
        issues.extend(
            {"severity": "error", "code": code, "diagnostics": m, "expression": [field]}
            for m in messages
            if m != message
        )
    return {"resourceType": "OperationOutcome", "issue": issues}
