"""Reads of the published prior-authorization requirements: does this code need prior
authorization (for this line of business, state, place of service, network status, on
this date), with the documentation to send and the criteria to cite; and the public list."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from .codes import LINES_OF_BUSINESS, code_in_ranges, ranges_display
from .models import CoverageRequirement, CriteriaVersion

REQUIRED = "required"
NOT_REQUIRED = "not_required"
REQUIRED_WHEN = "required_only_when"

LOB_LABELS = dict(zip(LINES_OF_BUSINESS, ("Commercial", "Medicare Advantage", "Medicaid", "CHIP"), strict=True))


@dataclass
class RequirementMatch:
    requirement: CoverageRequirement
    # Conditions the question did not settle ("place of service is 22 or 24"): empty when it applies outright.
    open_conditions: list[str]
    criteria: list[CriteriaVersion] = field(default_factory=list)

    @property
    def applies(self) -> bool:
        return not self.open_conditions


@dataclass
class RequirementAnswer:
    code: str
    on: date
    status: str
    matches: list[RequirementMatch]

    @property
    def summary(self) -> str:
        if self.status == REQUIRED:
            return f"{self.code}: prior authorization is required."
        if self.status == REQUIRED_WHEN:
            whens = "; or when ".join(" and ".join(m.open_conditions) for m in self.matches)
            return f"{self.code}: prior authorization is required only when {whens}."
        return f"{self.code}: prior authorization is not required."

    @property
    def documentation(self) -> list[str]:
        seen: dict[str, None] = {}
        for match in self.matches:
            for item in match.requirement.documentation:
                seen.setdefault(item, None)
        return list(seen)


def _in_force(on: date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def requirements_in_force(*, on: date):
    """Every requirement version in force on `on`, with its criteria sets (two queries)."""
    return (
        CoverageRequirement.objects.filter(_in_force(on))
        .prefetch_related("criteria_sets")
        .order_by("code_min", "policy", "-version")
    )


def _words(values, labels=None) -> str:
    shown = [labels.get(v, v) if labels else v for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _open_conditions(req: CoverageRequirement, *, line_of_business, state, place_of_service, network_status):
    """None when the question rules the requirement out; else the conditions left open."""
    open_: list[str] = []
    checks = (
        (req.lines_of_business, line_of_business, "the line of business is {}", LOB_LABELS),
        (req.states, state, "the member's plan is in {}", None),
        (req.places_of_service, place_of_service, "the place of service is {}", None),
    )
    for wanted, given, phrase, labels in checks:
        if not wanted:
            continue
        if given:
            if given not in wanted:
                return None
        else:
            open_.append(phrase.format(_words(wanted, labels)))
    if req.network_status != CoverageRequirement.Network.ANY:
        if network_status:
            if network_status != req.network_status:
                return None
        else:
            open_.append(f"the provider is {req.get_network_status_display().lower()}")
    return open_


def coverage_requirement_answer(
    *,
    code: str,
    on: date,
    line_of_business: str = "",
    state: str = "",
    place_of_service: str = "",
    network_status: str = "",
    candidates=None,
) -> RequirementAnswer:
    """Required, not required, or required only when ... for one code. `candidates` (the
    requirements in force, already read) lets a caller answer many codes with one read."""
    code = (code or "").strip().upper()
    state = (state or "").strip().upper()
    if candidates is None:
        candidates = list(requirements_in_force(on=on).filter(code_min__lte=code, code_max__gte=code))
    matches = []
    for req in candidates:
        if not code_in_ranges(code, req.code_ranges):
            continue
        open_ = _open_conditions(
            req,
            line_of_business=line_of_business,
            state=state,
            place_of_service=place_of_service,
            network_status=network_status,
        )
        if open_ is not None:
            matches.append(RequirementMatch(requirement=req, open_conditions=open_))
    applying = [m for m in matches if m.applies]
    if applying:
        status, matches = REQUIRED, applying
    elif matches:
        status = REQUIRED_WHEN
    else:
        status = NOT_REQUIRED
    _criteria_attach(matches, on=on)
    return RequirementAnswer(code=code, on=on, status=status, matches=matches)


def _criteria_attach(matches: list[RequirementMatch], *, on: date) -> None:
    """The version in force on `on` of each criteria set to cite (one query for all)."""
    set_ids = {s.pk for m in matches for s in m.requirement.criteria_sets.all()}
    if not set_ids:
        return
    versions = (
        CriteriaVersion.objects.filter(_in_force(on), criteria_set_id__in=set_ids)
        .select_related("criteria_set")
        .order_by("criteria_set_id", "-effective_from", "-pk")
    )
    latest: dict[int, CriteriaVersion] = {}
    for version in versions:
        latest.setdefault(version.criteria_set_id, version)
    for match in matches:
        match.criteria = [latest[s.pk] for s in match.requirement.criteria_sets.all() if s.pk in latest]


def public_requirement_rows(*, on: date) -> list[dict]:
    """The public list (no login): every code or range that needs prior authorization on
    `on`, in code order, with where it applies and the documentation (two queries)."""
    rows = []
    for req in requirements_in_force(on=on):
        rows.append(
            {
                "codes": ranges_display(req.code_ranges),
                "service": req.service,
                "lines_of_business": _words(req.lines_of_business, LOB_LABELS) if req.lines_of_business else "All",
                "states": ", ".join(req.states) or "All",
                "places_of_service": ", ".join(req.places_of_service) or "Any",
                "network_status": req.get_network_status_display(),
                "documentation": req.documentation,
                "criteria": [s.name for s in req.criteria_sets.all()],
                "effective_from": req.effective_from,
                "effective_to": req.effective_to,
                "policy": req.policy,
                "version": req.version,
            }
        )
    return rows
