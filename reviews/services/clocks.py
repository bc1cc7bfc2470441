"""Reviewer writes that reset a case's clocks: after a pend is answered, on an urgency
change. The clocks themselves come from `cases.deadlines` (the engine and the fields)."""

from datetime import datetime

from django.db import transaction

from cases import events
from cases.deadlines.services import case_clock_fields_set
from cases.models import Urgency
from cases.services.workflow import case_lock
from um_portal.exceptions import Conflict, ValidationFailed


@transaction.atomic
def case_clocks_refresh(*, case_id, actor=None, reason: str, information_received_at: datetime | None = None):
    """Recompute and save a case's clocks (e.g. when a pend is answered), with an event
    when the due time moved."""
    case = case_lock(case_id=case_id)
    old_due = case.decision_due_at
    fields = case_clock_fields_set(case=case, information_received_at=information_received_at)
    case.save(update_fields=[*fields, "updated_at"])
    if case.decision_due_at != old_due:
        events.event_clock_set(case=case, actor=actor, old_due=old_due, new_due=case.decision_due_at, reason=reason)
    return case


@transaction.atomic
def case_urgency_set(*, case_id, actor, urgency: str, reason: str):
    """Change a case's urgency; the clocks are recomputed from receipt (RULES.md 1)."""
    if urgency not in Urgency.values:
        raise ValidationFailed("Unknown urgency.", errors={"urgency": [f"Choose one of {', '.join(Urgency.values)}."]})
    if not reason.strip():
        raise ValidationFailed("Say why the urgency changes.", errors={"reason": ["This field is required."]})
    case = case_lock(case_id=case_id)
    if not case.is_open:
        raise Conflict(f"Case {case.reference} is decided or closed; its urgency cannot change.")
    if case.urgency == urgency:
        return case
    old_due, old_urgency = case.decision_due_at, case.urgency
    case.urgency = urgency
    fields = case_clock_fields_set(case=case)
    case.save(update_fields=["urgency", *fields, "updated_at"])
    events.event_clock_set(
        case=case,
        actor=actor,
        old_due=old_due,
        new_due=case.decision_due_at,
        reason=f"Urgency changed from {old_urgency} to {urgency}: {reason.strip()}",
    )
    return case
