"""The error layer of every /fhir/ answer: an OperationOutcome whose issue.code comes from
FHIR's IssueType code system (http://hl7.org/fhir/issue-type), with the HTTP status the
JSON API would give."""

from um_portal.exceptions import (
    Conflict,
    DomainError,
    NotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)

# FHIR R4 IssueType codes (hl7.org/fhir/R4/codesystem-issue-type.html).
ISSUE_TYPES = frozenset(
    "invalid structure required value invariant security login unknown expired forbidden suppressed "
    "processing not-supported duplicate multiple-matches not-found deleted too-long code-invalid extension "
    "too-costly business-rule conflict transient lock-error no-store exception timeout incomplete throttled "
    "informational".split()
)


class FhirError(Exception):
    """A refusal under /fhir/: HTTP status, IssueType code, a sentence, and where."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 400, expression: str | None = None):
        assert code in ISSUE_TYPES, code
        super().__init__(message)
        self.message, self.code, self.status, self.expression = message, code, status, expression


def operation_outcome(*, message: str, code: str = "invalid", expression: str | None = None, extra=()) -> dict:
    issue = {"severity": "error", "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    issues = [issue]
    for extra_message, extra_expression in extra:
        if extra_message == message:
            continue
        more = {"severity": "error", "code": code, "diagnostics": extra_message}
        if extra_expression:
            more["expression"] = [extra_expression]
        issues.append(more)
    return {"resourceType": "OperationOutcome", "issue": issues}


# A domain error raised by a service, as a FHIR issue type.
_DOMAIN_CODES = [
    (NotFound, "not-found"),
    (NotAllowed, "forbidden"),
    (Conflict, "conflict"),
    (PayloadTooLarge, "too-long"),
    (UnsupportedMediaType, "not-supported"),
]
# The JSON API's field names, as the FHIRPath of the PAS request that carries them.
FIELD_PATHS = {
    "member_number": "Claim.patient",
    "member_date_of_birth": "Patient.birthDate",
    "requesting_provider_npi": "Claim.provider",
    "servicing_provider_npi": "Claim.careTeam.provider",
    "service_category": "Claim.item.category",
    "diagnosis_codes": "Claim.diagnosis",
    "lines": "Claim.item",
    "urgency": "Claim.priority",
    "expedited_reason": "Claim.extension",
    "place_of_service": "Claim.item.locationCodeableConcept",
}


def from_domain_error(exc: DomainError) -> FhirError:
    code = next((c for kind, c in _DOMAIN_CODES if isinstance(exc, kind)), None)
    if code is None:
        code = "business-rule" if exc.errors else "invalid"
    first_field = next(iter(exc.errors), None)
    error = FhirError(exc.message, code=code, status=exc.status_code, expression=FIELD_PATHS.get(first_field))
    error.extra = [(m, FIELD_PATHS.get(f)) for f, messages in exc.errors.items() for m in messages]
    return error


def outcome_for(error: FhirError) -> dict:
    return operation_outcome(
        message=error.message, code=error.code, expression=error.expression, extra=getattr(error, "extra", ())
    )
