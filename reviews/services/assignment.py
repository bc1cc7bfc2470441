"""Claiming and reassigning cases, and reviewer notes."""

import uuid

from django.db import transaction

from cases import events
from cases.models import AuthorizationRequest, CaseStatus
from cases.services.workflow import case_status_set
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed
from um_portal.models import User
from um_portal.roles import REVIEWER_ROLES, Perm, Role, user_can, user_role

from .common import case_for_action


def reviewer_by_username(*, username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or user_role(user) not in REVIEWER_ROLES:
        raise ValidationFailed(
            f"{username!r} is not an active nurse or physician reviewer.",
            errors={"username": ["Choose an active nurse or physician reviewer."]},
        )
    return user


def case_assign_check(*, actor, case: AuthorizationRequest) -> None:
    """Only an open case is claimed or reassigned (409 otherwise)."""
    if not case.is_open:
        raise Conflict(f"Case {case.reference} is {case.get_status_display().lower()}: there is nothing to work.")


def case_claim_check(*, actor, case: AuthorizationRequest) -> None:
    """An open case nobody else holds (409: two reviewers never work one case unknowingly)."""
    case_assign_check(actor=actor, case=case)
    old = case.assigned_to
    if old is not None and old.pk != actor.pk:
        raise Conflict(
            f"Case {case.reference} was claimed by {old.display_name} first. Ask them, or reassign it.",
            code="already_claimed",
        )


@transaction.atomic
def case_assign(
    *, case_id, actor, assignee: User | None = None, expected_version: int | None = None
) -> AuthorizationRequest:
    """Claim the case (assignee None: the actor) or reassign it to another reviewer.

    Claiming a case someone else holds is refused (409) so two nurses never work one case
    unknowingly; reassigning names the new reviewer explicitly. A received case moves to
    in review when claimed."""
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.CASE_ASSIGN, expected_version=expected_version)
    case_assign_check(actor=actor, case=case)
    claiming = assignee is None
    new = actor if claiming else assignee
    if user_role(new) not in REVIEWER_ROLES:
        raise ValidationFailed("Cases are assigned to nurse or physician reviewers only.")
    old = case.assigned_to
    if claiming:
        case_claim_check(actor=actor, case=case)
    if old is not None and old.pk == new.pk:
        return case
    case.assigned_to = new
    case.version += 1
    case.save(update_fields=["assigned_to", "version", "updated_at"])
    events.event_assigned(case=case, actor=actor, old_assignee=old, new_assignee=new)
    if case.status == CaseStatus.RECEIVED:
        case_status_set(case=case, to_status=CaseStatus.IN_REVIEW, actor=actor, message="Review started.")
    return case


@transaction.atomic
def case_note_add(*, case_id, actor, text: str) -> AuthorizationRequest:
    """An internal reviewer note (not shown to providers)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write the note first.", errors={"text": ["This field is required."]})
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.QUEUE_WORK)
    events.event_note_added(case=case, actor=actor, text=text)
    return case


# "Claim next" takes work a nurse can start now: not a pended case, which waits on the office.
CLAIMABLE_STATUSES = (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW)


@transaction.atomic
def case_claim_next(*, actor) -> AuthorizationRequest | None:
    """Claim the most urgent open case nobody holds (the work queue's order: due time,
    expedited first when tied), or None when there is none (issue 22, item 5). Two nurses
    clicking at once get two different cases: the candidate row is locked, and a row
    another transaction holds is skipped."""
    if not user_can(actor, Perm.CASE_ASSIGN):
        raise NotAllowed("Your role does not allow claiming cases.")
    pk = (
        AuthorizationRequest.objects.filter(status__in=CLAIMABLE_STATUSES, assigned_to__isnull=True)
        .order_by("decision_due_at", "urgency", "id")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return None
    return case_assign(case_id=pk, actor=actor)


# A supervisor reassigns at most one queue page at a time (reviews.selectors.PAGE_SIZE).
BULK_REASSIGN_MAX = 50


def _case_ids(seen: dict) -> list[uuid.UUID]:
    try:
        return sorted(uuid.UUID(str(case_id)) for case_id in seen)
    except (TypeError, ValueError, AttributeError):
        raise ValidationFailed("A ticked case is not a case reference the portal knows.") from None


@transaction.atomic
def cases_reassign_bulk(*, actor, seen: dict, assignee: User) -> list[AuthorizationRequest]:
    """A UM supervisor hands several cases to one reviewer in one action (issue 22, item 5).

    `seen` maps each case id to the version the supervisor saw. Every case or none: the
    rows are locked in pk order, and if any changed meanwhile (a decision, a claim, another
    reassignment) nothing is written and the answer is 409 naming those cases. A case with
    physicians goes to a physician only. One `assigned` event per case that changes hands."""
    if not user_can(actor, Perm.CASE_REASSIGN_BULK):
        raise NotAllowed("Only UM supervisors reassign cases in bulk.")
    if not seen:
        raise ValidationFailed("Tick at least one case to reassign.", errors={"cases": ["Tick at least one case."]})
    if len(seen) > BULK_REASSIGN_MAX:
        raise ValidationFailed(
            f"Reassign at most {BULK_REASSIGN_MAX} cases at once.", errors={"cases": ["Too many cases ticked."]}
        )
    if not assignee.is_active or user_role(assignee) not in REVIEWER_ROLES:
        raise ValidationFailed(
            "Cases are assigned to active nurse or physician reviewers only.",
            errors={"username": ["Choose an active nurse or physician reviewer."]},
        )
    ids = _case_ids(seen)
    versions = {uuid.UUID(str(case_id)): version for case_id, version in seen.items()}
    cases = list(
        AuthorizationRequest.objects.filter(pk__in=ids)
        .select_related("assigned_to")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if len(cases) != len(set(ids)):
        raise NotFound("A ticked case no longer exists. Reload the queue and try again.")
    changed = [case.reference for case in cases if case.version != versions[case.pk] or not case.is_open]
    if changed:
        raise Conflict(
            f"{', '.join(changed)} changed since you loaded the queue (decided, claimed or reassigned). "
            "Nothing was reassigned: reload the queue and try again.",
            code="stale",
        )
    to_physician = user_role(assignee) == Role.PHYSICIAN
    with_physicians = [case.reference for case in cases if case.status == CaseStatus.PHYSICIAN_REVIEW]
    if with_physicians and not to_physician:
        raise ValidationFailed(
            f"{', '.join(with_physicians)} {'is' if len(with_physicians) == 1 else 'are'} with physicians: "
            "reassign to a physician. Nothing was reassigned.",
            errors={"username": ["Choose a physician for cases with physicians."]},
        )
    for case in cases:
        old = case.assigned_to
        if old is not None and old.pk == assignee.pk:
            continue
        case.assigned_to = assignee
        case.version += 1
        case.save(update_fields=["assigned_to", "version", "updated_at"])
        events.event_assigned(case=case, actor=actor, old_assignee=old, new_assignee=assignee)
        if case.status == CaseStatus.RECEIVED:
            case_status_set(case=case, to_status=CaseStatus.IN_REVIEW, actor=actor, message="Review started.")
    return cases
