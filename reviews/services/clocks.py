"""Writes that set a case's clocks: on receipt, after a pend is answered, on an urgency
change. Every deadline comes from `reviews.clocks` (the engine)."""

from datetime import datetime

from django.db import transaction

from cases import events
from cases.models import Urgency
from cases.services.workflow import case_lock
from um_portal.exceptions import Conflict, ValidationFailed

from ..alerts import alert_next_at, alert_thresholds
from ..clocks import case_clock_details

CLOCK_FIELDS = ["decision_due_at", "clocks", "notice_due_at", "information_notice_due_at", "alert_next_at"]


def case_clock_fields_set(*, case, information_received_at: datetime | None = None) -> list[str]:
    """Set the case's clock fields in memory (decision due time, per-rule breakdown, notice
    due time, Maryland's information-notice deadline, next alert). Returns the field names
    to save. The next alert counts the alerts already raised, which never fire again."""
    clocks, information_notice_due_at, _facts = case_clock_details(
        case=case, information_received_at=information_received_at
    )
    if not clocks:
        raise RuntimeError("No turnaround rule applies; the NCQA rule applies to all cases and must be configured.")
    case.decision_due_at = clocks[0].due_at
    case.clocks = [c.as_dict() for c in clocks]
    # The decision notice is due with the decision deadline (RULES.md section 2); the
    # decision service narrows it once decided (reviews.clocks.case_notice_due_compute).
    if case.decided_at is None:
        case.notice_due_at = case.decision_due_at
    case.information_notice_due_at = information_notice_due_at
    fired = set(case.alerts.values_list("threshold", flat=True)) if not case._state.adding else set()
    case.alert_next_at = alert_next_at(
        alert_thresholds(
            received_at=case.received_at,
            decision_due_at=case.decision_due_at,
            information_notice_due_at=information_notice_due_at,
        ),
        fired,
    )
    if case.overdue_at is not None and case.decision_due_at > case.overdue_at:
        case.overdue_at = None  # Extended past the escalation: no longer overdue.
    return [*CLOCK_FIELDS, "overdue_at"]


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
