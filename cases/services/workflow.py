"""The one function that moves a case's status."""

from django.db import transaction

from um_portal.exceptions import Conflict, InvalidTransition

from .. import events
from ..models import CASE_TRANSITIONS, AuthorizationRequest, CaseStatus


def case_lock(*, case_id) -> AuthorizationRequest:
    """Lock one case row for the rest of the transaction (call inside transaction.atomic)."""
    return AuthorizationRequest.objects.select_for_update().get(pk=case_id)


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in CASE_TRANSITIONS.get(from_status, frozenset())


@transaction.atomic
def case_status_set(
    *,
    case: AuthorizationRequest,
    to_status: str,
    actor,
    message: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
    extra_fields: dict | None = None,
) -> AuthorizationRequest:
    """Move `case` to `to_status`, refusing moves outside CASE_TRANSITIONS, and write the
    status event. The row is re-read under a lock so two concurrent moves cannot both
    succeed: the second sees the new status and is refused with a Conflict (409).

    `extra_fields` are other case fields changed in the same step (e.g. decided_at).
    """
    locked = case_lock(case_id=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            f"Case {locked.reference} was changed by someone else (now {locked.get_status_display().lower()}). "
            "Reload it and try again.",
            code="stale",
        )
    old = locked.status
    if not transition_allowed(old, to_status):
        raise InvalidTransition(
            f"Case {locked.reference} is {CaseStatus(old).label.lower()}; it cannot move to "
            f"{CaseStatus(to_status).label.lower()}."
        )
    locked.status = to_status
    locked.version += 1
    update_fields = ["status", "version", "updated_at"]
    for field, value in (extra_fields or {}).items():
        setattr(locked, field, value)
        update_fields.append(field)
    locked.save(update_fields=update_fields)
    events.event_status_changed(case=locked, actor=actor, old=old, new=to_status, message=message, data=data)
    # Keep the caller's instance current.
    case.status, case.version = locked.status, locked.version
    for field, value in (extra_fields or {}).items():
        setattr(case, field, value)
    return locked
