"""Request fields read from a fax's page texts (no database: `cases.services.fax_ocr`
checks the candidates against our tables).

OCR of a 204x196 dpi black-and-white fax confuses a few glyphs (O/0, I/l/1, S/5, a space
after a dot); the readers below repair those only where the field's format says which one
it must be (a digit position of an NPI or a code), never in free text."""

import re
from dataclasses import dataclass, field
from datetime import date

from ..validators import CPT_RE, HCPCS_RE, ICD10_CM_RE, normalize_icd10, npi_is_valid

# The fields a request form gives, in the order the nurse's form asks for them. Each found
# one pre-fills the intake form field of the same name; `unread` lists the others.
FIELDS = {
    "member_number": "member number",
    "member_date_of_birth": "date of birth",
    "requesting_provider_npi": "requesting provider NPI",
    "servicing_provider_npi": "servicing provider NPI",
    "diagnosis_codes": "diagnosis codes",
    "procedure_codes": "CPT/HCPCS codes",
    "start_date": "date of service",
    "end_date": "date of service (to)",
    "urgency": "urgency",
    "sender_fax": "sending office's fax number",
}
# Read when present; a form that says nothing of urgency is standard, not unread.
OPTIONAL = {"urgency"}

_DIGIT_FIX = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "l": "1",
        "i": "1",
        "|": "1",
        "!": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
        "A": "4",
        "G": "6",
        "g": "9",
    }
)
_DATE = r"(\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}|\d{4}-\d{2}-\d{2})"
_PHONE = re.compile(r"(?<![\dA-Za-z])\(?([\dOAlI]{3})\)?[\s.:\-]{0,3}([\dOlI]{3})[\s.:\-]{1,3}([\dOlI]{4})(?!\d)")
_TITLE = re.compile(
    r"(prior\s*authori[sz]ation|pre-?\s?certification|precert|authori[sz]ation)\s+(request|form)|"
    r"request\s+for\s+(prior\s+)?authori[sz]ation",
    re.I,
)
_MEMBER = re.compile(
    r"(?:member|subscriber|patient)\s*(?:id|1d|i\.d\.|no\.?|number|#)\s*[:.;]?\s*([A-Z0-9][A-Z0-9\-]{3,19})", re.I
)
_DOB = re.compile(r"(?:date\s*of\s*birth|d\.?\s?o\.?\s?b\.?|birth\s*date)\s*[:.;]?\s*" + _DATE, re.I)
_NPI = re.compile(r"(?<![\dA-Za-z])([\dOlI|]{10})(?![\dA-Za-z])")
_NPI_LABEL = re.compile(r"\bNP[I1l]\b", re.I)
_ROLE_REQ = re.compile(r"request|order|referr", re.I)
_ROLE_SRV = re.compile(r"servic|render|facility|perform", re.I)
_DX_LABEL = re.compile(r"diagnos|icd|\bdx\b", re.I)
_DX_LOOSE = re.compile(r"(?<![A-Za-z0-9])([A-TV-Z][0-9OIl][0-9A-Z](?:\s?[.,]\s?[0-9A-Za-z]{1,4})?)(?![A-Za-z0-9])")
_DX_STRICT = re.compile(r"(?<![A-Za-z0-9.])([A-TV-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4})(?![A-Za-z0-9])")
_CODE_LABEL = re.compile(r"\b(cpt|hcpcs|procedure|service\s*code)", re.I)
_CODE_TOKEN = re.compile(r"(?<![A-Za-z0-9\-/.])([A-V0-9OIl][0-9OIl]{3}[0-9FTUOIl])(?![A-Za-z0-9\-/])")
_DOS = re.compile(r"(?:date\s*\(?s?\)?\s*of\s*service|service\s*dates?|\bdos\b)", re.I)
_TO_DATE = re.compile(r"(?:\bto|through|thru|end)\b\s*[:.;]?\s*" + _DATE, re.I)
_URGENT = re.compile(r"\b(expedited|urgent|emergent|emergency|stat|asap|rush)\b", re.I)
_STANDARD = re.compile(r"\burgency\s*[:.;]?\s*(standard|routine|non-?urgent)\b", re.I)
_FAX_LABEL = re.compile(r"\bfax\b", re.I)
_REFERENCE = re.compile(r"\bUM\s?-\s?(\d{4})\s?-\s?([\dOlI]{6})\b", re.I)


@dataclass
class Candidate:
    value: str
    page: int
    text: str  # as read
    known: bool | None = None  # found in our tables (None: not checked)
    note: str = ""

    def as_dict(self) -> dict:
        return {"value": self.value, "page": self.page, "text": self.text, "known": self.known, "note": self.note}


@dataclass
class RequestRead:
    pages: list[int]
    fields: dict[str, list[Candidate]] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)

    def add(self, name: str, candidate: Candidate) -> None:
        found = self.fields.setdefault(name, [])
        if all(c.value != candidate.value for c in found):
            found.append(candidate)

    def problem(self, name: str, page: int, text: str, message: str) -> None:
        self.problems.append({"field": name, "page": page, "text": text, "message": message})


def _date(text: str) -> date | None:
    raw = re.sub(r"\s", "", text)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
        month, day, year = (int(p) for p in re.split(r"[/.-]", raw))
    except ValueError:
        return None
    if year < 100:
        year += 2000 if year < 50 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _digits(text: str) -> str:
    return text.translate(_DIGIT_FIX)


def icd10_repair(text: str) -> str | None:
    """'M17. il' -> 'M17.11'; None when it cannot be an ICD-10-CM code."""
    raw = re.sub(r"\s", "", text).replace(",", ".")
    if len(raw) < 3:
        return None
    head, rest = raw[0].upper(), raw[1:]
    body, _, tail = rest.partition(".")
    body = body[0].translate(_DIGIT_FIX) + body[1:].upper() if body else body
    # ICD-10-CM uses neither I nor O after the first character (CDC, ICD-10-CM guidelines).
    tail = tail.upper().replace("I", "1").replace("L", "1").replace("O", "0")
    code = normalize_icd10(f"{head}{body}.{tail}" if tail else f"{head}{body}")
    return code if ICD10_CM_RE.fullmatch(code) else None


def procedure_repair(text: str) -> tuple[str, str] | None:
    """'274A7' stays unread; '2744T' -> CPT; 'E0601' -> HCPCS; 'EO6O1' -> HCPCS."""
    token = text.upper()
    if token[0].isalpha() and token[0] not in "OI":
        code = token[0] + token[1:].translate(_DIGIT_FIX)
        return ("HCPCS", code) if HCPCS_RE.fullmatch(code) else None
    code = token[:4].translate(_DIGIT_FIX) + (token[4] if token[4] in "FTU" else token[4].translate(_DIGIT_FIX))
    return ("CPT", code) if CPT_RE.fullmatch(code) else None


def requests_split(pages: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """A fax may hold several requests: each request form (its title near the top of a
    page) starts one; pages before the first form (a cover sheet) and after it (clinical
    notes) belong to the form before them."""
    groups: list[list[tuple[int, str]]] = []
    for number, text in pages:
        top = "\n".join(text.splitlines()[:8])
        if _TITLE.search(top) or not groups:
            if groups and not any(_TITLE.search("\n".join(t.splitlines()[:8])) for _, t in groups[-1]):
                groups[-1].append((number, text))  # a cover sheet before the first form
                continue
            groups.append([(number, text)])
        else:
            groups[-1].append((number, text))
    return groups


def request_read(pages: list[tuple[int, str]]) -> RequestRead:
    read = RequestRead(pages=[number for number, _ in pages])
    for number, text in pages:
        lines = text.splitlines()
        for index, line in enumerate(lines):
            _line_read(read, number, line, lines[index + 1 : index + 4])
    return read


def _line_read(read: RequestRead, page: int, line: str, following: list[str]) -> None:
    for match in _MEMBER.finditer(line):
        read.add("member_number", Candidate(value=match.group(1).upper().strip("-"), page=page, text=match.group(0)))
    for match in _DOB.finditer(line):
        day = _date(match.group(1))
        if day is None:
            read.problem("member_date_of_birth", page, match.group(0), "not a date")
        else:
            read.add("member_date_of_birth", Candidate(value=day.isoformat(), page=page, text=match.group(0)))
    if _NPI_LABEL.search(line) or _NPI.search(line):
        _npis_read(read, page, line)
    if _DX_LABEL.search(line):
        for match in _DX_LOOSE.finditer(line.split(":", 1)[-1] if ":" in line else line):
            code = icd10_repair(match.group(1))
            if code is not None and not re.fullmatch(r"ICD\d*", match.group(1), re.I):
                read.add("diagnosis_codes", Candidate(value=code, page=page, text=match.group(1)))
    else:
        for match in _DX_STRICT.finditer(line):
            read.add("diagnosis_codes", Candidate(value=match.group(1), page=page, text=match.group(1)))
    labelled = bool(_CODE_LABEL.search(line))
    for match in _CODE_TOKEN.finditer(line):
        repaired = procedure_repair(match.group(1)) if labelled else None
        if (
            repaired is None
            and not labelled
            and (CPT_RE.fullmatch(match.group(1)) or HCPCS_RE.fullmatch(match.group(1)))
        ):
            # Unlabelled five-character tokens (ZIP codes, numbers in notes) are kept
            # only if our tables know the code (`known` is checked by the service).
            system = "HCPCS" if match.group(1)[0].isalpha() else "CPT"
            read.add("unlabelled_codes", Candidate(value=f"{system}:{match.group(1)}", page=page, text=match.group(1)))
        elif repaired is not None:
            read.add("procedure_codes", Candidate(value=f"{repaired[0]}:{repaired[1]}", page=page, text=match.group(1)))
    if _DOS.search(line):
        after = line[_DOS.search(line).end() :]
        dates = re.findall(_DATE, after)
        if dates and _date(dates[0]):
            read.add("start_date", Candidate(value=_date(dates[0]).isoformat(), page=page, text=dates[0]))
            for text in [after[after.find(dates[0]) + len(dates[0]) :], *following]:
                to = _TO_DATE.search(text)
                if to and _date(to.group(1)):
                    read.add("end_date", Candidate(value=_date(to.group(1)).isoformat(), page=page, text=to.group(0)))
                    break
    standard = _STANDARD.search(line)
    if standard:
        read.add("urgency", Candidate(value="standard", page=page, text=standard.group(0)))
    elif not re.search(r"standard.*expedited|expedited.*standard", line, re.I):  # a printed choice of both
        for match in _URGENT.finditer(line):
            read.add("urgency", Candidate(value="expedited", page=page, text=match.group(0)))
    if _FAX_LABEL.search(line):
        _fax_read(read, page, line)
    for match in _REFERENCE.finditer(line):
        reference = f"UM-{match.group(1)}-{_digits(match.group(2))}"
        read.add("case_reference", Candidate(value=reference, page=page, text=match.group(0)))


def _npis_read(read: RequestRead, page: int, line: str) -> None:
    compact = re.sub(r"(?<=\d)[ \-](?=\d)", "", line)
    for match in _NPI.finditer(compact):
        raw = match.group(1)
        value = _digits(raw)
        before = compact[max(0, match.start() - 40) : match.start()]
        if not _NPI_LABEL.search(before) and not npi_is_valid(value):
            continue  # a ten-digit number that is no NPI (a phone number)
        if not npi_is_valid(value):
            read.problem("npi", page, raw, f"{value} fails the NPI check digit")
            continue
        roles = [(m.start(), "requesting") for m in _ROLE_REQ.finditer(before)]
        roles += [(m.start(), "servicing") for m in _ROLE_SRV.finditer(before)]
        role = max(roles)[1] if roles else ""
        read.add("npis", Candidate(value=value, page=page, text=raw, note=role))


def _fax_read(read: RequestRead, page: int, line: str) -> None:
    for label in _FAX_LABEL.finditer(line):
        after = line[label.end() :]
        match = _PHONE.search(after)
        if match is None:
            continue
        between = after[: match.start()]
        if re.search(r"\bto\b", between, re.I):  # "Fax: ... To: <the plan's number>"
            continue
        number = _digits("".join(match.groups()))
        if len(number) == 10 and number.isdigit():
            read.add("sender_fax", Candidate(value=number, page=page, text=match.group(0)))
        break
