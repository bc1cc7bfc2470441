"""Shared steps of the reviewer actions."""

from cases.access import case_for_user
from cases.models import AuthorizationRequest, CaseStatus
from um_portal.exceptions import Conflict
from um_portal.roles import Perm, Role, user_role

# A nurse works cases until they are routed; once with a physician, only a physician acts.
NURSE_WORKABLE = frozenset({CaseStatus.RECEIVED, CaseStatus.IN_REVIEW, CaseStatus.PENDED})


def case_for_action(*, actor, case_id, need: Perm, expected_version: int | None = None) -> AuthorizationRequest:
    """Lock and return the case for `actor` doing `need` (404 stranger, 403 role), refusing a
    stale `expected_version` (409). Call inside transaction.atomic."""
    case = case_for_user(actor, case_id, need=need, lock=True)
    if expected_version is not None and case.version != expected_version:
        raise Conflict(
            f"Case {case.reference} was changed by someone else while you were working on it "
            f"(it is now {case.get_status_display().lower()}). Review the new state and try again.",
            code="stale",
        )
    return case


def require_open(case: AuthorizationRequest, *, actor) -> None:
    """A decided, withdrawn or closed case cannot be acted on again; a routed case is the physician's."""
    if not case.is_open:
        raise Conflict(
            f"Case {case.reference} is already {case.get_status_display().lower()}: "
            "it cannot be decided or changed again.",
            code="already_decided" if case.is_decided else "not_open",
        )
    if user_role(actor) == Role.NURSE and case.status not in NURSE_WORKABLE:
        raise Conflict(
            f"Case {case.reference} is with a physician for review; only a physician can act on it now.",
            code="with_physician",
        )
