import pytest
from django.core.exceptions import ValidationError

from cases.validators import (
    normalize_icd10,
    npi_is_valid,
    validate_icd10_cm,
    validate_npi,
    validate_procedure_code,
)


@pytest.mark.parametrize("npi", ["1234567893", "1982736450", "1122334455"])
def test_valid_npis_pass_the_check_digit(npi):
    assert npi_is_valid(npi)
    validate_npi(npi)


@pytest.mark.parametrize("npi", ["1234567890", "1234567894", "123456789", "12345678930", "abcdefghij", ""])
def test_invalid_npis_are_refused_with_a_message(npi):
    assert not npi_is_valid(npi)
    with pytest.raises(ValidationError, match="not a valid NPI"):
        validate_npi(npi)


@pytest.mark.parametrize("code", ["M17.11", "S83.241A", "G47.33", "Z96.651", "M54.5", "U07.1", "E11"])
def test_icd10_cm_codes_pass(code):
    validate_icd10_cm(code)


@pytest.mark.parametrize("code", ["17.11", "M1", "MM7.11", "M17.", "M17.12345", "m17.11", "27447"])
def test_malformed_icd10_codes_are_refused(code):
    with pytest.raises(ValidationError, match="not an ICD-10-CM code"):
        validate_icd10_cm(code)


def test_icd10_without_dot_is_normalized():
    assert normalize_icd10("m1711") == "M17.11"
    assert normalize_icd10(" E11 ") == "E11"


@pytest.mark.parametrize(
    ("system", "code"),
    [("CPT", "27447"), ("CPT", "0001F"), ("CPT", "0042T"), ("HCPCS", "E0601"), ("HCPCS", "G0151")],
)
def test_procedure_codes_pass(system, code):
    validate_procedure_code(system, code)


@pytest.mark.parametrize(
    ("system", "code", "message"),
    [
        ("CPT", "2744", "not a valid CPT"),
        ("CPT", "E0601", "not a valid CPT"),
        ("HCPCS", "27447", "not a valid HCPCS"),
        ("HCPCS", "W0601", "not a valid HCPCS"),
        ("ICD", "27447", "not a supported code system"),
    ],
)
def test_malformed_procedure_codes_are_refused(system, code, message):
    with pytest.raises(ValidationError, match=message):
        validate_procedure_code(system, code)
