"""Put a case's clocks on it (in memory; the caller saves): the decision due time with its
per-rule breakdown, the notice due time, Maryland's information-notice deadline and the
next alert. Intake calls it in the submit transaction; reviews when a pend is answered, an
urgency changes or a case is extended. Every deadline comes from `.clocks` (the engine)."""

from datetime import datetime

from .alerts import alert_next_at, alert_thresholds
from .clocks import case_clock_details

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
    # decision service narrows it once decided (cases.deadlines.clocks.case_notice_due_compute).
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
