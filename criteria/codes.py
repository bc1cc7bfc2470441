"""Service and diagnosis code lists as administrators write them in coverage requirements
and auto-approval rules: single codes, ranges (`97110-97140`) and, for ICD-10, categories
(`M17` covers M17.0 to M17.9). The formats are the ones the intake accepts
(cases.validators); they are repeated here because criteria sits below cases."""

import re

from um_portal.exceptions import ValidationFailed

CPT_RE = re.compile(r"^[0-9]{4}[0-9FTU]$")  # Category I, II (F), III (T), PLA (U)
HCPCS_RE = re.compile(r"^[A-V][0-9]{4}$")  # HCPCS Level II
ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")

# The plan's lines of business (the same values as cases.models.LineOfBusiness; a test
# keeps the two in step).
LINES_OF_BUSINESS = ("commercial", "medicare_advantage", "medicaid", "chip")
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)


def procedure_code_system(code: str) -> str | None:
    if CPT_RE.fullmatch(code):
        return "CPT"
    if HCPCS_RE.fullmatch(code):
        return "HCPCS"
    return None


def normalize_icd10(value: str) -> str:
    code = (value or "").strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def _split(item: str) -> tuple[str, str]:
    text = (item or "").strip().upper()
    if "-" in text:
        low, _, high = text.partition("-")
        return low.strip(), high.strip()
    return text, text


def procedure_ranges_parse(items, *, field: str) -> list[list[str]]:
    """["27447", "97110-97140"] -> [["27447", "27447"], ["97110", "97140"]]; a clear error
    for an unknown code, a range across code systems or a reversed range."""
    if not isinstance(items, list | tuple):
        raise ValidationFailed("Give a list of codes.", errors={field: ["Give a list of codes or ranges."]})
    ranges, problems = [], []
    for item in items:
        low, high = _split(str(item))
        systems = {procedure_code_system(low), procedure_code_system(high)}
        if None in systems:
            problems.append(f"{item!s} is not a known CPT or HCPCS code (e.g. 27447, E0601, 97110-97140).")
        elif len(systems) > 1 or (low[0].isalpha() != high[0].isalpha()):
            problems.append(f"{item!s}: a range must stay within one code system.")
        elif high < low:
            problems.append(f"{item!s}: the range ends before it starts.")
        else:
            ranges.append([low, high])
    if problems:
        raise ValidationFailed(f"Unknown or invalid codes: {problems[0]}", errors={field: problems})
    return ranges


def diagnosis_ranges_parse(items, *, field: str) -> list[list[str]]:
    """["M17", "M16.0-M16.9", "Z96.651"]: ICD-10-CM codes, categories or ranges."""
    if not isinstance(items, list | tuple):
        raise ValidationFailed("Give a list of codes.", errors={field: ["Give a list of ICD-10-CM codes or ranges."]})
    ranges, problems = [], []
    for item in items:
        low, high = (normalize_icd10(part) for part in _split(str(item)))
        if not (ICD10_RE.fullmatch(low) and ICD10_RE.fullmatch(high)):
            problems.append(f"{item!s} is not an ICD-10-CM code, category or range (e.g. M17, M17.0-M17.9).")
        elif high < low:
            problems.append(f"{item!s}: the range ends before it starts.")
        else:
            ranges.append([low, high])
    if problems:
        raise ValidationFailed(f"Unknown or invalid diagnosis codes: {problems[0]}", errors={field: problems})
    return ranges


def code_in_ranges(code: str, ranges) -> bool:
    """Inclusive; the upper end covers its subcodes (M17.9 covers M17.91), so a category
    written alone (M17) covers every code under it."""
    code = (code or "").strip().upper()
    return any(low <= code and (code <= high or code.startswith(high)) for low, high in ranges)


def ranges_display(ranges) -> str:
    return ", ".join(low if low == high else f"{low}-{high}" for low, high in ranges)
