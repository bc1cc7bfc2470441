"""Criteria version writes. A version used in a decision is locked: its text, checklist
and dates can no longer change; an administrator makes a new version instead."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from ..models import CriteriaSet, CriteriaVersion


def criteria_versions_lock(*, versions, at: datetime | None = None) -> int:
    """Freeze the versions (idempotent: the first lock time stays). Returns how many were newly locked."""
    pks = [v.pk for v in versions]
    if not pks:
        return 0
    return CriteriaVersion.objects.filter(pk__in=pks, locked_at__isnull=True).update(locked_at=at or timezone.now())


@transaction.atomic
def criteria_version_update(*, version: CriteriaVersion, **changes) -> CriteriaVersion:
    """Change an unlocked version's text, checklist or dates."""
    locked = CriteriaVersion.objects.select_for_update().get(pk=version.pk)
    locked.refuse_if_locked()
    allowed = {"text", "indications", "effective_from", "effective_to", "version"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.save(update_fields=[*changes])
    return locked


@transaction.atomic
def criteria_version_create(
    *,
    criteria_set: CriteriaSet,
    version: str,
    effective_from: date,
    text: str,
    indications: list[str] | None = None,
    effective_to: date | None = None,
) -> CriteriaVersion:
    new = CriteriaVersion(
        criteria_set=criteria_set,
        version=version,
        effective_from=effective_from,
        effective_to=effective_to,
        text=text,
        indications=indications or [],
    )
    new.full_clean()
    new.save()
    return new
