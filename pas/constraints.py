"""A checker for the Da Vinci PAS 2.2.1 constraints this server's answers rely on, beyond
what fhir.resources checks (FHIR structure): the response Bundle profile (identifier,
timestamp, fullUrls, ClaimResponse first, collection), resolvable references of the right
type, the ClaimResponse's required elements and fixed codes, the review-action extension's
complex shape (sub-extensions, X12 306 and 886 systems), addItem and processNote
cardinalities, the CommunicationRequest profile, the $inquire Parameters, and FHIR
IssueType codes in OperationOutcomes. The tests run every answer through it.

Each function returns a list of problems (empty: conformant as far as it checks)."""

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError as PydanticValidationError

from .outcomes import ISSUE_TYPES

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
REVIEW_ACTION = PAS + "extension-reviewAction"
REVIEW_ACTION_CODE = PAS + "extension-reviewActionCode"
X12_306 = "https://codesystem.x12.org/005010/306"
X12_306_CODES = {"A1", "A2", "A3", "A4", "A6", "C", "CT", "D", "IP", "NA"}
X12_886 = "https://codesystem.x12.org/external/886"
SUBMITTED = ("http://terminology.hl7.org/CodeSystem/adjudication", "submitted")
OUTCOMES = {"complete", "error", "partial"}  # PAS ValueSet ClaimResponseOutcome
CERTIFIED = {"A1", "A2", "A6"}
REFERENCE_TYPES = {
    "patient": {"Patient"},
    "insurer": {"Organization"},
    "requestor": {"Practitioner", "PractitionerRole", "Organization"},
    "request": {"Claim"},
}


def response_bundle_problems(bundle: dict) -> list[str]:
    problems: list[str] = []
    try:
        Bundle.model_validate(bundle)
    except PydanticValidationError as exc:
        return [f"not valid FHIR: {exc.errors()[0]}"]
    if bundle.get("type") != "collection":
        problems.append("Bundle.type must be collection")
    identifier = bundle.get("identifier") or {}
    if not identifier.get("value"):
        problems.append("Bundle.identifier is required (1..1)")
    if not bundle.get("timestamp"):
        problems.append("Bundle.timestamp is required (1..1)")
    entries = bundle.get("entry") or []
    if not entries:
        return [*problems, "Bundle.entry is required (1..*)"]
    by_url = {}
    for index, entry in enumerate(entries):
        if not entry.get("fullUrl"):
            problems.append(f"Bundle.entry[{index}].fullUrl is required")
        if not entry.get("resource"):
            problems.append(f"Bundle.entry[{index}].resource is required")
        for forbidden in ("search", "request", "response"):
            if forbidden in entry:
                problems.append(f"Bundle.entry[{index}].{forbidden} is not allowed (0..0)")
        if entry.get("fullUrl") in by_url:
            problems.append(f"Bundle.entry[{index}].fullUrl {entry['fullUrl']} is used twice")
        by_url[entry.get("fullUrl")] = entry.get("resource") or {}
    responses = [e for e in entries if (e.get("resource") or {}).get("resourceType") == "ClaimResponse"]
    if entries[0].get("resource", {}).get("resourceType") != "ClaimResponse":
        problems.append("ClaimResponseFirst: the first entry must be the ClaimResponse")
    if len(responses) != 1:
        problems.append(f"exactly one ClaimResponse entry (found {len(responses)})")
        return problems
    problems += claim_response_problems(responses[0]["resource"], by_url)
    for url, resource in by_url.items():
        if resource.get("resourceType") == "CommunicationRequest":
            problems += communication_request_problems(resource, by_url, url)
    return problems


def _resolves(by_url: dict, reference, types: set[str], where: str) -> list[str]:
    ref = (reference or {}).get("reference")
    if not ref:
        return [f"{where} has no reference"]
    if ref not in by_url:
        return [f"{where} ({ref}) does not resolve to an entry of the Bundle"]
    kind = by_url[ref].get("resourceType")
    return [] if kind in types else [f"{where} ({ref}) is a {kind}, expected {' or '.join(sorted(types))}"]


def claim_response_problems(response: dict, by_url: dict) -> list[str]:
    problems = []
    for name in ("status", "type", "use", "patient", "created", "insurer", "outcome", "request"):
        if not response.get(name):
            problems.append(f"ClaimResponse.{name} is required")
    if response.get("use") != "preauthorization":
        problems.append("ClaimResponse.use must be preauthorization")
    if response.get("outcome") not in OUTCOMES:
        problems.append(f"ClaimResponse.outcome {response.get('outcome')} is not in ClaimResponseOutcome")
    for name, types in REFERENCE_TYPES.items():
        if name in response or name in ("patient", "insurer", "request"):
            problems += _resolves(by_url, response.get(name), types, f"ClaimResponse.{name}")
    for index, insurance in enumerate(response.get("insurance") or []):
        problems += _resolves(
            by_url, insurance.get("coverage"), {"Coverage"}, f"ClaimResponse.insurance[{index}].coverage"
        )
    for index, reference in enumerate(response.get("communicationRequest") or []):
        problems += _resolves(
            by_url, reference, {"CommunicationRequest"}, f"ClaimResponse.communicationRequest[{index}]"
        )
    certified = False
    for index, item in enumerate(response.get("item") or []):
        where = f"ClaimResponse.item[{index}]"
        if not isinstance(item.get("itemSequence"), int):
            problems.append(f"{where}.itemSequence is required")
        codes, item_problems = _adjudication_problems(item.get("adjudication") or [], where)
        problems += item_problems
        certified |= bool(codes & CERTIFIED)
    for index, item in enumerate(response.get("addItem") or []):
        where = f"ClaimResponse.addItem[{index}]"
        if len(item.get("itemSequence") or []) != 1:
            problems.append(f"{where}.itemSequence must hold exactly one sequence (1..1)")
        if not item.get("productOrService"):
            problems.append(f"{where}.productOrService is required")
        problems += _adjudication_problems(item.get("adjudication") or [], where)[1]
    if certified and not response.get("preAuthRef"):
        problems.append("ClaimResponse.preAuthRef is missing on a certification")
    for index, note in enumerate(response.get("processNote") or []):
        if not isinstance(note.get("number"), int):
            problems.append(f"ClaimResponse.processNote[{index}].number is required (1..1)")
    return problems


def _adjudication_problems(adjudications: list, where: str) -> tuple[set[str], list[str]]:
    problems, codes = [], set()
    if not adjudications:
        problems.append(f"{where}.adjudication is required")
    for index, adjudication in enumerate(adjudications):
        here = f"{where}.adjudication[{index}]"
        category = [(c.get("system"), c.get("code")) for c in (adjudication.get("category") or {}).get("coding") or []]
        if SUBMITTED not in category:
            problems.append(f"{here}.category must be adjudication#submitted (pattern)")
        actions = [e for e in adjudication.get("extension") or [] if e.get("url") == REVIEW_ACTION]
        if len(actions) > 1:
            problems.append(f"{here} has more than one reviewAction (0..1)")
        for action in actions:
            code, action_problems = review_action_problems(action, here)
            problems += action_problems
            if code:
                codes.add(code)
    return codes, problems


def review_action_problems(action: dict, where: str) -> tuple[str | None, list[str]]:
    """The complex extension-reviewAction: no value[x]; sub-extensions code (the
    extension-reviewActionCode, X12 306) 0..1, number 0..1 string, reasonCode 0..* X12 886."""
    problems = []
    if any(key.startswith("value") for key in action):
        problems.append(f"{where} reviewAction must not have a value[x]")
    parts = action.get("extension") or []
    known = {REVIEW_ACTION_CODE, "number", "reasonCode", "secondSurgicalOpinionFlag"}
    for part in parts:
        if part.get("url") not in known:
            problems.append(f"{where} reviewAction has an unknown sub-extension {part.get('url')}")
    code_parts = [p for p in parts if p.get("url") == REVIEW_ACTION_CODE]
    numbers = [p for p in parts if p.get("url") == "number"]
    reasons = [p for p in parts if p.get("url") == "reasonCode"]
    code = None
    if len(code_parts) != 1:
        problems.append(f"{where} reviewAction needs exactly one reviewActionCode")
    else:
        codings = (code_parts[0].get("valueCodeableConcept") or {}).get("coding") or []
        x12 = [c for c in codings if c.get("system") == X12_306]
        if not x12:
            problems.append(f"{where} reviewActionCode must use {X12_306}")
        else:
            code = x12[0].get("code")
            if code not in X12_306_CODES:
                problems.append(f"{where} reviewActionCode {code} is not an X12 306 code")
    if len(numbers) > 1 or any(not isinstance(n.get("valueString"), str) for n in numbers):
        problems.append(f"{where} reviewAction number is 0..1 and a string")
    if code in CERTIFIED and not numbers:
        problems.append(f"{where} a certification ({code}) carries its number")
    for reason in reasons:
        codings = (reason.get("valueCodeableConcept") or {}).get("coding") or []
        if not any(c.get("system") == X12_886 for c in codings):
            problems.append(f"{where} reasonCode must use {X12_886}")
    return code, problems


def communication_request_problems(resource: dict, by_url: dict, where: str) -> list[str]:
    problems = []
    if resource.get("status") != "active":
        problems.append(f"{where}: CommunicationRequest.status is fixed to active")
    mediums = [c.get("code") for m in resource.get("medium") or [] for c in m.get("coding") or []]
    if "VO" not in mediums and not resource.get("identifier"):
        problems.append(f"{where}: IdentifierUnlessVO: an identifier is required")
    for name in ("identifier", "category", "medium", "payload"):
        if len(resource.get(name) or []) > 1:
            problems.append(f"{where}: CommunicationRequest.{name} is 0..1")
    if resource.get("requester"):
        problems += _resolves(by_url, resource["requester"], {"Organization"}, f"{where}.requester")
    return problems


def inquiry_parameters_problems(parameters: dict) -> list[str]:
    if parameters.get("resourceType") != "Parameters":
        return ["the $inquire answer must be a Parameters resource"]
    problems = []
    for index, parameter in enumerate(parameters.get("parameter") or []):
        if parameter.get("name") != "return":
            problems.append(f"Parameters.parameter[{index}].name must be 'return' (OperationDefinition Claim-inquiry)")
        problems += [f"return[{index}]: {p}" for p in response_bundle_problems(parameter.get("resource") or {})]
    return problems


def operation_outcome_problems(outcome: dict) -> list[str]:
    try:
        OperationOutcome.model_validate(outcome)
    except PydanticValidationError as exc:
        return [f"not a valid OperationOutcome: {exc.errors()[0]}"]
    return [
        f"issue[{index}].code {issue.get('code')} is not a FHIR IssueType code"
        for index, issue in enumerate(outcome.get("issue") or [])
        if issue.get("code") not in ISSUE_TYPES
    ]
