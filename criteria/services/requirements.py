"""Writing coverage requirements. Every door (admin, shell, seed) goes through
`coverage_requirement_save`: bad input is refused with a message naming the field, and
nothing is saved."""

from datetime import date

from django.db import transaction
from django.db.models import Q

from um_portal.exceptions import ValidationFailed
from um_portal.validators import is_ascii_digits

from ..codes import LINES_OF_BUSINESS, US_STATES, procedure_ranges_parse
from ..models import CoverageRequirement, CriteriaSet

Network = CoverageRequirement.Network


def _strings(value, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",")]
    if not isinstance(value, list | tuple):
        raise ValidationFailed(f"{field}: give a list.", errors={field: ["Give a list."]})
    return [str(v).strip() for v in value if str(v).strip()]


def coverage_requirement_clean(*, fields: dict, instance: CoverageRequirement | None = None) -> dict:
    """Check and normalize a requirement's fields; raise ValidationFailed listing every problem."""
    errors: dict[str, list[str]] = {}
    clean = dict(fields)
    policy = (fields.get("policy") or "").strip()
    if not policy:
        errors.setdefault("policy", []).append("Give the policy name shared by its versions.")
    if not (fields.get("service") or "").strip():
        errors.setdefault("service", []).append("Say what the service is in plain words.")
    codes = _strings(fields.get("codes"), "codes")
    if not codes:
        errors.setdefault("codes", []).append("Give at least one CPT/HCPCS code or range.")
    else:
        try:
            ranges = procedure_ranges_parse(codes, field="codes")
            clean["codes"] = [low if low == high else f"{low}-{high}" for low, high in ranges]
            clean["code_min"] = min(low for low, _ in ranges)
            clean["code_max"] = max(high for _, high in ranges)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    lobs = _strings(fields.get("lines_of_business"), "lines_of_business")
    bad = [v for v in lobs if v not in LINES_OF_BUSINESS]
    if bad:
        errors.setdefault("lines_of_business", []).append(
            f"Unknown line of business {bad[0]!r}: use {', '.join(LINES_OF_BUSINESS)}."
        )
    clean["lines_of_business"] = lobs
    states = [s.upper() for s in _strings(fields.get("states"), "states")]
    bad = [s for s in states if s not in US_STATES]
    if bad:
        errors.setdefault("states", []).append(f"Unknown state {bad[0]!r}: use two-letter codes such as MD.")
    clean["states"] = states
    places = _strings(fields.get("places_of_service"), "places_of_service")
    bad = [p for p in places if not is_ascii_digits(p, length=2)]
    if bad:
        errors.setdefault("places_of_service", []).append(
            f"{bad[0]!r} is not a place of service: two digits, e.g. 11 (office) or 22 (outpatient hospital)."
        )
    clean["places_of_service"] = places
    network = fields.get("network_status") or Network.ANY
    if network not in Network.values:
        errors.setdefault("network_status", []).append(f"Choose one of: {', '.join(Network.values)}.")
    clean["network_status"] = network
    documentation = fields.get("documentation") or []
    if isinstance(documentation, str):
        documentation = documentation.splitlines()
    clean["documentation"] = [str(d).strip() for d in documentation if str(d).strip()]
    start, end = fields.get("effective_from"), fields.get("effective_to")
    if not isinstance(start, date):
        errors.setdefault("effective_from", []).append("Give the date the version takes effect.")
    elif end is not None and end < start:
        errors.setdefault("effective_to", []).append("The version ends before it starts.")
    version = fields.get("version")
    if not isinstance(version, int) or version < 1:
        errors.setdefault("version", []).append("Give a version number (1, 2, ...).")
    if policy and isinstance(start, date) and "effective_to" not in errors:
        others = CoverageRequirement.objects.filter(policy=policy)
        if instance is not None and instance.pk:
            others = others.exclude(pk=instance.pk)
        if isinstance(version, int) and others.filter(version=version).exists():
            errors.setdefault("version", []).append(f"{policy} already has a version {version}.")
        overlap = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        if end is not None:
            overlap = overlap.filter(effective_from__lte=end)
        clash = overlap.order_by("effective_from").first()
        if clash is not None:
            until = clash.effective_to or "open-ended"
            errors.setdefault("effective_from", []).append(
                f"These dates overlap {clash} ({clash.effective_from} to {until}): end that version first."
            )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(f"The coverage requirement was not saved. {first}", errors=errors)
    clean["policy"] = policy
    return clean


@transaction.atomic
def coverage_requirement_save(
    *, instance: CoverageRequirement | None = None, criteria_sets: list[CriteriaSet] | None = None, **fields
) -> CoverageRequirement:
    """Create (or change) one version. Rows of the same policy are locked so two
    administrators cannot save overlapping versions at once."""
    policy = (fields.get("policy") or "").strip()
    list(CoverageRequirement.objects.select_for_update().filter(policy=policy).order_by("pk").values_list("pk"))
    clean = coverage_requirement_clean(fields=fields, instance=instance)
    requirement = instance or CoverageRequirement()
    for name in (
        "policy",
        "version",
        "service",
        "codes",
        "code_min",
        "code_max",
        "lines_of_business",
        "states",
        "places_of_service",
        "network_status",
        "documentation",
        "effective_from",
        "effective_to",
    ):
        setattr(requirement, name, clean.get(name, getattr(requirement, name, None)))
    requirement.service = requirement.service.strip()
    requirement.save()
    if criteria_sets is not None:
        requirement.criteria_sets.set(criteria_sets)
    return requirement
