"""De-identified vignettes for inter-rater reliability exercises (issue 16, item 3).

The vignette carries what a reviewer needs to apply the criteria (service, codes, diagnoses,
urgency, the clinical summary) with names, numbers and dates replaced. `phi_found` then
looks for anything identifying that is left (the member's or providers' names, a date, a
long number, a phone number); an exercise is refused while any remains."""

import re

DATE_PATTERNS = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    re.compile(
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b", re.I
    ),
]
PHONE = re.compile(r"\b\d{3}[-. )]\s?\d{3}[-.]\d{4}\b")
# What must not survive: a year, a run of 5+ digits (member, NPI, SSN), a phone number.
LEFTOVER = [re.compile(r"\b(?:19|20)\d{2}\b"), re.compile(r"\d{5,}"), PHONE, *DATE_PATTERNS]


def _identifiers(case) -> list[tuple[str, str]]:
    """(text, placeholder) pairs for the case's own identifiers, longest first."""
    member = case.member
    pairs = [
        (member.member_number, "[member number]"),
        (case.reference, "[case]"),
        (f"{member.first_name} {member.last_name}", "the member"),
        (member.last_name, "the member"),
        (member.first_name, "the member"),
    ]
    for org in (case.requesting_organization, case.servicing_organization):
        if org is not None:
            pairs += [(org.name, "[provider]"), (org.npi, "[NPI]")]
    for person in (case.requesting_practitioner, case.servicing_practitioner):
        if person is not None:
            pairs += [
                (f"{person.first_name} {person.last_name}", "[practitioner]"),
                (person.last_name, "[practitioner]"),
            ]
            pairs.append((person.npi, "[NPI]"))
    return sorted({(t, p) for t, p in pairs if t and len(t) >= 2}, key=lambda tp: -len(tp[0]))


def scrub(text: str, case) -> str:
    for value, placeholder in _identifiers(case):
        text = re.sub(rf"\b{re.escape(value)}\b", placeholder, text, flags=re.I)
    for pattern in DATE_PATTERNS:
        text = pattern.sub("[date]", text)
    return PHONE.sub("[phone]", text)


def vignette_for(case) -> str:
    """The de-identified vignette of a decided case (lines and diagnoses prefetched)."""
    lines = "; ".join(
        f"{line.code_system} {line.code}{' ' + line.description if line.description else ''}, {line.units} unit(s)"
        for line in case.lines.all()
    )
    diagnoses = ", ".join(d.code for d in case.diagnoses.all())
    member = case.member
    age_band = ""
    if member.date_of_birth and case.received_at:
        age = (case.received_at.date() - member.date_of_birth).days // 365
        # HIPAA Safe Harbor: ages over 89 are grouped.
        age_band = "90 or older" if age >= 90 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"
    parts = [
        f"Service: {case.get_service_category_display()}; {lines}.",
        f"Diagnoses: {diagnoses or 'none given'}.",
        f"Urgency: {case.get_urgency_display().lower()}. Member age: {age_band or 'unknown'}.",
        "Clinical summary: " + (case.clinical_summary or "none given."),
    ]
    return scrub("\n".join(parts), case)


def phi_found(text: str, case) -> list[str]:
    """What in `text` still identifies the case, the member or a provider (empty: clean)."""
    found = []
    for value, _ in _identifiers(case):
        if re.search(rf"\b{re.escape(value)}\b", text, flags=re.I):
            found.append(value)
    # The service codes (CPT, HCPCS) are what the reviewer needs, not identifiers.
    codes = {line.code for line in case.lines.all()}
    for pattern in LEFTOVER:
        found += [match for match in pattern.findall(text) if match not in codes]
    return list(dict.fromkeys(found))
