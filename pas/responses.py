"""The PAS response Bundle (profile-pas-response-bundle): the ClaimResponse first, then the
resources it references, each under the fullUrl the submitter used, so every reference
resolves inside the Bundle and traces back to the request.

Per item, the review action (X12 306) in PAS's complex extension: A1 certified, A3 not
certified, A4 pended, A6 modified (fewer units authorized; `addItem` says what was), C
cancelled; `number` is the certification number (the case reference) on A1/A6; `reasonCode`
(X12 886, HCR03) where the decision carries a coded reason."""

import uuid

from django.utils import timezone

from cases.models import CaseStatus
from reviews.selectors_reasons import decision_x12_reason_code

from .models import PasSubmission
from .parsing import EXT_ITEM_TRACE, PAS

EXT_REVIEW_ACTION = PAS + "extension-reviewAction"
EXT_REVIEW_ACTION_CODE = PAS + "extension-reviewActionCode"
EXT_PREAUTH_ISSUE = PAS + "extension-itemPreAuthIssueDate"
EXT_PREAUTH_PERIOD = PAS + "extension-itemPreAuthPeriod"
EXT_REQUESTED_DATE = PAS + "extension-itemRequestedServiceDate"
EXT_ADMIN_REFERENCE = PAS + "extension-administrationReferenceNumber"
EXT_SERVICE_LINE = PAS + "extension-serviceLineNumber"
X12_306 = "https://codesystem.x12.org/005010/306"
X12_886 = "https://codesystem.x12.org/external/886"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
RESPONSE_IDENTIFIER_SYSTEM = "urn:um-portal:pas-response"
REVIEW_ACTIONS = {
    "A1": "Certified in total",
    "A2": "Certified - partial",
    "A3": "Not Certified",
    "A4": "Pended",
    "A6": "Modified",
    "C": "Cancelled",
    "CT": "Contact Payer",
    "NA": "No Action Required",
}
CERTIFIED = frozenset({"A1", "A2", "A6"})
PRODUCT_SYSTEMS = {
    "CPT": "http://www.ama-assn.org/go/cpt",
    "HCPCS": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "X12": "https://codesystem.x12.org/005010/1365",
    "PCS": "http://www.cms.gov/Medicare/Coding/ICD10",
    "NDC": "http://hl7.org/fhir/sid/ndc",
}


def review_action_code(case, line) -> str:
    if line.cancelled_at is not None or case.status == CaseStatus.WITHDRAWN:
        return "C"
    if line.outcome == "approved":
        return "A1"
    if line.outcome == "partially_approved":
        return "A6"
    if line.outcome == "denied":
        return "A3"
    if case.is_open:
        return "A4"
    return "NA"


def _review_action(code: str, *, number: str, reason_code: str) -> dict:
    parts = []
    if code in CERTIFIED:
        parts.append({"url": "number", "valueString": number})
    if reason_code and code in {"A2", "A3", "A6"}:
        parts.append(
            {"url": "reasonCode", "valueCodeableConcept": {"coding": [{"system": X12_886, "code": reason_code}]}}
        )
    parts.append(
        {
            "url": EXT_REVIEW_ACTION_CODE,
            "valueCodeableConcept": {"coding": [{"system": X12_306, "code": code, "display": REVIEW_ACTIONS[code]}]},
        }
    )
    return {"url": EXT_REVIEW_ACTION, "extension": parts}


def _adjudication(code: str, *, number: str, reason_code: str) -> list[dict]:
    return [
        {
            "extension": [_review_action(code, number=number, reason_code=reason_code)],
            "category": {"coding": [{"system": ADJUDICATION, "code": "submitted"}]},
        }
    ]


def _current(manager_all, predicate):
    return next((x for x in manager_all if predicate(x)), None)


def _period(start, end) -> dict:
    return {"start": start.isoformat(), "end": end.isoformat()}


def claim_response_bundle(*, submission: PasSubmission, case=None) -> dict:
    """The response Bundle for `submission`'s case as it stands now."""
    case = case or submission.case
    request_bundle = submission.request_bundle
    entries = {e.get("fullUrl"): e["resource"] for e in request_bundle.get("entry") or [] if e.get("fullUrl")}
    claim = entries.get(submission.claim_full_url) or request_bundle["entry"][0]["resource"]
    resolver = _Resolver(entries)
    patient_url = resolver.url(claim.get("patient"))
    insurer_url = resolver.url(claim.get("insurer"))
    requestor_url = resolver.url(claim.get("provider"))
    # The coverage the request named, echoed (as HL7's inquiry response example does).
    insurance = [
        {
            "sequence": entry.get("sequence"),
            "focal": entry.get("focal"),
            "coverage": {"reference": resolver.url(entry.get("coverage"))},
        }
        for entry in claim.get("insurance") or []
        if resolver.url(entry.get("coverage")) in entries
    ]
    claim_items = {item.get("sequence"): item for item in claim.get("item") or []}
    # An update's Claim lists only what changed: the earlier Claims give the other items.
    earlier_items = {}
    for earlier in case.pas_submissions.all():
        for entry in earlier.request_bundle.get("entry") or []:
            if entry.get("fullUrl") == earlier.claim_full_url:
                earlier_items.update({i.get("sequence"): i for i in entry["resource"].get("item") or []})

    decision = _current(case.decisions.all(), lambda d: d.is_current)
    pend = _current(case.pends.all(), lambda p: p.responded_at is None) if case.status == CaseStatus.PENDED else None
    reason_code = decision_x12_reason_code(decision)
    number = case.reference
    now = timezone.now()
    items, add_items, certified_lines = [], [], []
    for line in case.lines.all():
        sequence = submission.item_sequences.get(str(line.line_number))
        if sequence is None:
            continue
        code = review_action_code(case, line)
        source = claim_items.get(sequence) or earlier_items.get(sequence) or {}
        extensions = [
            {"url": EXT_ITEM_TRACE, "valueIdentifier": trace["valueIdentifier"]}
            for trace in source.get("extension") or []
            if trace.get("url") == EXT_ITEM_TRACE and trace.get("valueIdentifier")
        ]
        extensions.append({"url": EXT_REQUESTED_DATE, "valuePeriod": _period(line.start_date, line.end_date)})
        if code in CERTIFIED and decision is not None:
            certified_lines.append(line)
            extensions.append(
                {"url": EXT_PREAUTH_ISSUE, "valueDate": timezone.localdate(decision.decided_at).isoformat()}
            )
            extensions.append({"url": EXT_PREAUTH_PERIOD, "valuePeriod": _period(line.start_date, line.end_date)})
        if code == "A4":
            extensions.append({"url": EXT_ADMIN_REFERENCE, "valueString": number})
        items.append(
            {
                "extension": extensions,
                "itemSequence": sequence,
                "adjudication": _adjudication(code, number=number, reason_code=reason_code),
            }
        )
        if code == "A6":
            add_items.append(
                {
                    "itemSequence": [sequence],
                    "productOrService": {
                        "coding": [{"system": PRODUCT_SYSTEMS.get(line.code_system), "code": line.code}]
                    },
                    "servicedPeriod": _period(line.start_date, line.end_date),
                    "quantity": {"value": line.approved_units},
                    "adjudication": _adjudication("A1", number=number, reason_code=""),
                }
            )

    response_id = str(uuid.uuid4())
    claim_response = {
        "resourceType": "ClaimResponse",
        "id": response_id,
        "identifier": claim.get("identifier") or [],
        "status": "active",
        "type": claim.get("type"),
        "use": "preauthorization",
        "patient": {"reference": patient_url},
        "created": now.isoformat(),
        "insurer": {"reference": insurer_url},
        "requestor": {"reference": requestor_url},
        "request": {"reference": submission.claim_full_url},
        "outcome": "complete",
        "disposition": case.get_status_display(),
    }
    if insurance:
        claim_response["insurance"] = insurance
    if certified_lines:
        claim_response["preAuthRef"] = number
        claim_response["preAuthPeriod"] = _period(
            min(line.start_date for line in certified_lines), max(line.end_date for line in certified_lines)
        )
    if items:
        claim_response["item"] = items
    if add_items:
        claim_response["addItem"] = add_items
    notes = []
    if decision is not None and decision.reason:
        notes.append(decision.reason)
    extra_entries = []
    if pend is not None:
        request_url = f"urn:uuid:{uuid.uuid4()}"
        extra_entries.append(
            {"fullUrl": request_url, "resource": _communication_request(pend, insurer_url, requestor_url)}
        )
        claim_response["communicationRequest"] = [{"reference": request_url}]
        notes.append(f"Information requested by {pend.respond_by.isoformat()}: {pend.requested_information}")
    if notes:
        claim_response["processNote"] = [
            {"number": index, "type": "display", "text": text} for index, text in enumerate(notes, start=1)
        ]
    entry = [{"fullUrl": f"urn:uuid:{response_id}", "resource": claim_response}]
    coverage_urls = [entry["coverage"]["reference"] for entry in insurance]
    for url in dict.fromkeys([submission.claim_full_url, patient_url, insurer_url, requestor_url, *coverage_urls]):
        resource = entries.get(url) if url != submission.claim_full_url else claim
        if resource is not None:
            entry.append({"fullUrl": url, "resource": resource})
    entry.extend(extra_entries)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "identifier": {"system": RESPONSE_IDENTIFIER_SYSTEM, "value": response_id},
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entry,
    }


def _communication_request(pend, insurer_url: str, requestor_url: str) -> dict:
    """What the reviewer asked for, as PAS's CommunicationRequest (the guide's pending
    example): X12 PWK01 report type M1 (medical record attachment), LOINC 11503-0 (medical
    records) as the requested content, the reviewer's words as the note."""
    return {
        "resourceType": "CommunicationRequest",
        "id": str(uuid.uuid4()),
        "identifier": [{"system": "urn:um-portal:pend", "value": str(pend.pk)}],
        "status": "active",
        "category": [{"coding": [{"system": "https://codesystem.x12.org/005010/755", "code": "M1"}]}],
        "payload": [{"contentString": "11503-0"}],
        "authoredOn": pend.requested_at.isoformat(),
        "requester": {"reference": insurer_url},
        "recipient": [{"reference": requestor_url}],
        "note": [{"text": f"{pend.requested_information} (respond by {pend.respond_by.isoformat()})"}],
    }


class _Resolver:
    def __init__(self, entries: dict):
        self.entries = entries
        self.by_type_id = {f"{r.get('resourceType')}/{r.get('id')}": url for url, r in entries.items() if r.get("id")}

    def url(self, reference) -> str:
        ref = (reference or {}).get("reference", "")
        if ref in self.entries:
            return ref
        if ref in self.by_type_id:
            return self.by_type_id[ref]
        return self.by_type_id.get("/".join(ref.rstrip("/").split("/")[-2:]), ref)


def inquiry_parameters(bundles: list[dict]) -> dict:
    """$inquire's answer (OperationDefinition Claim-inquiry): a Parameters with one `return`
    per matching authorization, each a response Bundle."""
    parameters = {"resourceType": "Parameters"}
    if bundles:  # FHIR JSON has no empty arrays: no match is a Parameters without parameter
        parameters["parameter"] = [{"name": "return", "resource": bundle} for bundle in bundles]
    return parameters
