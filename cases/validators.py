"""Format checks for the identifiers a UM case carries."""

import re

from django.core.exceptions import ValidationError

ICD10_CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
CPT_RE = re.compile(r"^[0-9]{4}[0-9FTU]$")  # Category I (5 digits), II (####F), III (####T), PLA (####U)
HCPCS_RE = re.compile(r"^[A-V][0-9]{4}$")  # HCPCS Level II: a letter A-V and four digits
X12_SERVICE_TYPE_RE = re.compile(r"^[0-9A-Z]{1,2}$")  # X12 1365 service type codes
ICD10_PCS_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")  # ICD-10-PCS: 7 characters, no I or O
NDC_RE = re.compile(r"^[0-9]{11}$")  # NDC in the 11-digit (5-4-2) billing form
# The systems providers choose on the page and the JSON API; the others arrive by FHIR (PAS).
PORTAL_CODE_SYSTEMS = ("CPT", "HCPCS")
TIN_RE = re.compile(r"^[0-9]{9}$")


def npi_is_valid(value: str) -> bool:
    """The NPI check digit: Luhn over the 9 identifier digits with the 80840 prefix
    (CMS, "Requirements for the National Provider Identifier check digit")."""
    if not re.fullmatch(r"[0-9]{10}", value or ""):
        return False
    digits = [int(c) for c in "80840" + value[:9]]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    check = (10 - total % 10) % 10
    return check == int(value[9])


def validate_npi(value: str) -> None:
    if not npi_is_valid(value):
        raise ValidationError(
            "%(value)s is not a valid NPI: it must be 10 digits with a correct check digit.",
            code="invalid_npi",
            params={"value": value},
        )


def normalize_icd10(value: str) -> str:
    code = (value or "").strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def validate_icd10_cm(value: str) -> None:
    if not ICD10_CM_RE.fullmatch(value or ""):
        raise ValidationError(
            "%(value)s is not an ICD-10-CM code: expected a letter, two characters, then an optional "
            "dot and up to four more (e.g. M17.11).",
            code="invalid_icd10",
            params={"value": value},
        )


def validate_procedure_code(code_system: str, code: str) -> None:
    pattern = {"CPT": CPT_RE, "HCPCS": HCPCS_RE, "X12": X12_SERVICE_TYPE_RE, "PCS": ICD10_PCS_RE, "NDC": NDC_RE}.get(
        code_system
    )
    if pattern is None:
        raise ValidationError(
            "%(system)s is not a supported code system: use CPT or HCPCS.",
            code="invalid_code_system",
            params={"system": code_system},
        )
    if not pattern.fullmatch(code or ""):
        example = {"CPT": "27447", "HCPCS": "E0601", "X12": "42", "PCS": "0SRC0J9", "NDC": "00002143380"}[code_system]
        raise ValidationError(
            "%(code)s is not a valid %(system)s code (e.g. %(example)s).",
            code="invalid_procedure_code",
            params={"code": code, "system": code_system, "example": example},
        )


def validate_tin(value: str) -> None:
    if not TIN_RE.fullmatch(value or ""):
        raise ValidationError("A TIN is 9 digits, without a dash.", code="invalid_tin")
