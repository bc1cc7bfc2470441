"""Criteria reads: the versions in force on a date, for a code or a service category,
and exactly the versions pinned to a decision."""

from datetime import date

from django.db.models import Q

from .models import CriteriaVersion


def criteria_in_force(*, on: date, codes=(), service_categories=()) -> list[CriteriaVersion]:
    """The version in force on `on` of each set that applies to any of `codes` (CPT/HCPCS)
    or `service_categories`. Where a new version starts while the old one was left open-ended,
    the newer one (latest `effective_from`) is the one in force. One query; ordered by set name."""
    codes = [c.strip().upper() for c in codes if c and c.strip()]
    categories = [c for c in service_categories if c]
    if not codes and not categories:
        return []
    applies = Q()
    if codes:
        applies |= Q(criteria_set__codes__code__in=codes)
    if categories:
        applies |= Q(criteria_set__codes__service_category__in=categories)
    in_force = Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    # The set's codes join can repeat a version: select the ids first, then the rows.
    ids = CriteriaVersion.objects.filter(applies, in_force).values("pk")
    versions = (
        CriteriaVersion.objects.filter(pk__in=ids)
        .select_related("criteria_set")
        .order_by("criteria_set__name", "criteria_set_id", "-effective_from", "-pk")
    )
    latest: dict[int, CriteriaVersion] = {}
    for version in versions:
        latest.setdefault(version.criteria_set_id, version)
    return list(latest.values())


def criteria_for_case(case) -> list[CriteriaVersion]:
    """The versions that apply to a case: for each service line, those in force on the line's
    start date for its code or the case's service category. Uses the case's (prefetched)
    lines; one query per distinct start date (almost always one)."""
    by_date: dict[date, set[str]] = {}
    for line in case.lines.all():
        by_date.setdefault(line.start_date, set()).add(line.code)
    seen: dict[int, CriteriaVersion] = {}
    for day, codes in sorted(by_date.items()):
        for version in criteria_in_force(on=day, codes=codes, service_categories=[case.service_category]):
            seen.setdefault(version.pk, version)
    return sorted(seen.values(), key=lambda v: (v.criteria_set.name, v.version))


def criteria_for_decision(decision) -> list[CriteriaVersion]:
    """Exactly the versions pinned to `decision` (locked, so their text is what was used),
    with their set. For a provider's or member's copy of the criteria."""
    return list(decision.criteria.select_related("criteria_set").order_by("criteria_set__name", "version"))


def criteria_version_in_force_on(version: CriteriaVersion, day: date) -> bool:
    """Within its dates on `day` and not replaced by a newer version of its set started by then."""
    if version.effective_from > day or (version.effective_to is not None and day > version.effective_to):
        return False
    return not CriteriaVersion.objects.filter(
        criteria_set_id=version.criteria_set_id, effective_from__gt=version.effective_from, effective_from__lte=day
    ).exists()


def checklist_answers(tokens: list[str]) -> dict[str, list[str]]:
    """A form's ticked checklist boxes, each "<criteria version id>:<item index>", as the
    intake's answers {"<criteria set name>": ["<indication>", ...]}. One query. Raises
    ValueError naming a box that matches no checklist item."""
    wanted: list[tuple[int, int]] = []
    for token in tokens:
        version_id, _, index = str(token).partition(":")
        if not (version_id.isascii() and version_id.isdigit() and index.isascii() and index.isdigit()):
            raise ValueError(f"{token!r} is not a checklist item of this form.")
        wanted.append((int(version_id), int(index)))
    versions = CriteriaVersion.objects.select_related("criteria_set").in_bulk({v for v, _ in wanted})
    answers: dict[str, list[str]] = {}
    for version_id, index in wanted:
        version = versions.get(version_id)
        if version is None or index >= len(version.indications or []):
            raise ValueError("A ticked checklist item no longer exists: look the criteria up again.")
        items = answers.setdefault(version.criteria_set.name, [])
        if version.indications[index] not in items:
            items.append(version.indications[index])
    return answers
