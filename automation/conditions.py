"""Rule conditions: written by administrators as data, checked once when saved (a clear
error for anything unknown, empty or contradictory), evaluated against a request's facts.

Every key is one condition; all must hold for the rule to approve:

    codes              ["27447", "97110-97140"]  every service line's code is in the list
    diagnoses          ["M17", "M16.0-M16.9"]     at least one diagnosis is in the list
    lines_of_business  ["commercial", ...]        the member's line of business
    states             ["MD", "VA"]               the state of the member's plan
    places_of_service  ["11", "22"]              the request's place of service
    max_units          12                         no line asks for more units
    max_days           30                         no line spans more days (first to last, inclusive)
    network_status     "in_network"               the servicing provider's network status
    gold_card          true                       the requesting organization holds a gold card
                                                  for the request's service group
    documents          ["X-ray report"]           a document of each kind is attached (by name or description)
    checklist          {"criteria_set": "...", "indications": [...]}
                                                  the provider answered these checklist items as met
"""

from dataclasses import dataclass, field
from functools import lru_cache

from criteria.codes import (
    LINES_OF_BUSINESS,
    US_STATES,
    code_in_ranges,
    diagnosis_ranges_parse,
    procedure_ranges_parse,
    ranges_display,
)
from um_portal.exceptions import ValidationFailed
from um_portal.validators import is_ascii_digits

KINDS = (
    "codes",
    "diagnoses",
    "lines_of_business",
    "states",
    "places_of_service",
    "max_units",
    "max_days",
    "network_status",
    "gold_card",
    "documents",
    "checklist",
)
# Largest sensible limits (a year of daily units); beyond that the condition limits nothing.
UNITS_LIMIT = 9999
DAYS_LIMIT = 366


@dataclass
class Facts:
    """What the conditions look at, read once per request (or per past case in a simulation)."""

    codes: list[str]
    diagnoses: list[str]
    line_of_business: str
    state: str
    place_of_service: str
    lines: list[tuple[int, int, int]]  # (line number, units, days)
    network_status: str
    gold_card: bool
    documents: list[str]  # lower-cased names and descriptions
    checklist: dict = field(default_factory=dict)


def _list(conditions, key, errors) -> list:
    value = conditions[key]
    if not isinstance(value, list) or not value:
        errors.setdefault(key, []).append(
            f"{key}: give at least one value (an empty list would match nothing: leave the condition out instead)."
        )
        return []
    return [str(v).strip() for v in value]


def conditions_clean(conditions, *, checklist_lookup=None) -> dict:
    """Validate and normalize. `checklist_lookup(name)` returns the indications of the
    criteria set in force (or None when no such set): the service passes it."""
    if not isinstance(conditions, dict) or not conditions:
        raise ValidationFailed(
            "A rule needs conditions: at least the service codes it approves.",
            errors={"conditions": ['Give the conditions as an object, at least {"codes": [...]}.']},
        )
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(conditions) - set(KINDS))
    if unknown:
        errors.setdefault("conditions", []).append(f"Unknown condition {unknown[0]!r}: use {', '.join(KINDS)}.")
    if "codes" not in conditions:
        errors.setdefault("codes", []).append(
            "Every rule names the service codes it approves: a rule without codes would approve any service."
        )
    clean: dict = {}
    for key in ("codes", "diagnoses"):
        if key in conditions:
            items = _list(conditions, key, errors)
            if items:
                parse = procedure_ranges_parse if key == "codes" else diagnosis_ranges_parse
                try:
                    ranges = parse(items, field=key)
                    clean[key] = [low if low == high else f"{low}-{high}" for low, high in ranges]
                except ValidationFailed as exc:
                    errors.update(exc.errors)
    if "lines_of_business" in conditions:
        items = _list(conditions, "lines_of_business", errors)
        bad = [v for v in items if v not in LINES_OF_BUSINESS]
        if bad:
            errors.setdefault("lines_of_business", []).append(
                f"Unknown line of business {bad[0]!r}: use {', '.join(LINES_OF_BUSINESS)}."
            )
        clean["lines_of_business"] = items
    if "states" in conditions:
        items = [s.upper() for s in _list(conditions, "states", errors)]
        bad = [s for s in items if s not in US_STATES]
        if bad:
            errors.setdefault("states", []).append(f"Unknown state {bad[0]!r}: use two-letter codes such as MD.")
        clean["states"] = items
    if "places_of_service" in conditions:
        items = _list(conditions, "places_of_service", errors)
        bad = [p for p in items if not is_ascii_digits(p, length=2)]
        if bad:
            errors.setdefault("places_of_service", []).append(f"{bad[0]!r} is not a two-digit place of service.")
        clean["places_of_service"] = items
    for key, limit in (("max_units", UNITS_LIMIT), ("max_days", DAYS_LIMIT)):
        if key in conditions:
            value = conditions[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
                errors.setdefault(key, []).append(
                    f"{key} must be a whole number from 1 to {limit} (0 or less would match nothing)."
                )
            else:
                clean[key] = value
    if "network_status" in conditions:
        if conditions["network_status"] not in ("in_network", "out_of_network"):
            errors.setdefault("network_status", []).append("network_status is in_network or out_of_network.")
        clean["network_status"] = conditions["network_status"]
    if "gold_card" in conditions:
        if conditions["gold_card"] is not True:
            errors.setdefault("gold_card", []).append(
                "gold_card can only be true: a rule approves gold-carded requests, it never singles out others."
            )
        clean["gold_card"] = True
    if "documents" in conditions:
        items = [d for d in _list(conditions, "documents", errors) if d]
        clean["documents"] = items
    if "checklist" in conditions:
        clean["checklist"] = _checklist_clean(conditions["checklist"], errors, checklist_lookup)
    if "gold_card" in clean and clean.get("network_status") == "out_of_network":
        errors.setdefault("conditions", []).append(
            "Contradictory: gold cards are held by contracted (in-network) providers, so gold_card with "
            "network_status out_of_network can never match."
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(f"The rule was not saved. {first}", errors=errors)
    return clean


def _checklist_clean(value, errors, lookup) -> dict:
    if not isinstance(value, dict) or not value.get("criteria_set") or not value.get("indications"):
        errors.setdefault("checklist", []).append(
            'checklist is {"criteria_set": "<name>", "indications": ["<item>", ...]} with at least one item.'
        )
        return {}
    name = str(value["criteria_set"]).strip()
    items = [str(i).strip() for i in value["indications"] if str(i).strip()]
    known = lookup(name) if lookup else None
    if known is None:
        errors.setdefault("checklist", []).append(f"No criteria set {name!r} is in force.")
    else:
        missing = [i for i in items if i not in known]
        if missing:
            errors.setdefault("checklist", []).append(f"{missing[0]!r} is not a checklist item of {name}.")
    return {"criteria_set": name, "indications": items}


@lru_cache(maxsize=8192)
def _ranges(kind: str, items: tuple) -> tuple:
    """Parsed ranges and their display, cached: a live rule's lists never change, and
    parsing them again for each of 200 rules on every submit is the evaluation's main cost."""
    parse = procedure_ranges_parse if kind == "codes" else diagnosis_ranges_parse
    ranges = parse(list(items), field=kind)
    return ranges, ranges_display(ranges)


def conditions_evaluate(conditions: dict, facts: Facts) -> tuple[list[str], list[str]]:
    """(passed, failed): one short sentence per condition, e.g. "units 14 > 12 (line 1)"."""
    passed: list[str] = []
    failed: list[str] = []

    def check(ok: bool, yes: str, no: str) -> None:
        (passed if ok else failed).append(yes if ok else no)

    if "codes" in conditions:
        ranges, shown = _ranges("codes", tuple(conditions["codes"]))
        outside = [c for c in facts.codes if not code_in_ranges(c, ranges)]
        check(not outside and bool(facts.codes), f"codes in {shown}", f"code {', '.join(outside)} not in {shown}")
    if "diagnoses" in conditions:
        ranges, shown = _ranges("diagnoses", tuple(conditions["diagnoses"]))
        check(
            any(code_in_ranges(d, ranges) for d in facts.diagnoses),
            f"diagnosis in {shown}",
            f"no diagnosis in {shown}",
        )
    for key, value, label in (
        ("lines_of_business", facts.line_of_business, "line of business"),
        ("states", facts.state, "state"),
        ("places_of_service", facts.place_of_service, "place of service"),
    ):
        if key in conditions:
            wanted = "/".join(conditions[key])
            check(
                value in conditions[key], f"{label} {value} in {wanted}", f"{label} {value or 'not given'} not {wanted}"
            )
    if "max_units" in conditions:
        limit = conditions["max_units"]
        over = [(n, u) for n, u, _d in facts.lines if u > limit]
        check(not over, f"units <= {limit}", "; ".join(f"units {u} > {limit} (line {n})" for n, u in over))
    if "max_days" in conditions:
        limit = conditions["max_days"]
        over = [(n, d) for n, _u, d in facts.lines if d > limit]
        check(not over, f"days <= {limit}", "; ".join(f"{d} days > {limit} (line {n})" for n, d in over))
    if "network_status" in conditions:
        wanted = conditions["network_status"].replace("_", " ")
        check(
            facts.network_status == conditions["network_status"],
            wanted,
            f"provider {facts.network_status.replace('_', ' ') or 'of unknown network status'}, not {wanted}",
        )
    if "gold_card" in conditions:
        check(facts.gold_card, "gold-carded", "not gold-carded")
    if "documents" in conditions:
        missing = [d for d in conditions["documents"] if not any(d.lower() in doc for doc in facts.documents)]
        check(not missing, "documents attached", f"missing document: {', '.join(missing)}")
    if "checklist" in conditions:
        wanted = conditions["checklist"]
        answered = set(facts.checklist.get(wanted["criteria_set"], []))
        missing = [i for i in wanted["indications"] if i not in answered]
        check(not missing, "checklist met", f"checklist item not met: {'; '.join(missing)}")
    return passed, failed
