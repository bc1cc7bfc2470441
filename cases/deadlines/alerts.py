"""Deadline alert thresholds (RULES.md section 2). Pure.

While a decision is open: the assigned reviewer is alerted when 50 % and 75 % of the
allowed time (receipt to decision due time) has passed, the UM supervisor at 90 %, and the
case is escalated as overdue at the due time. Maryland cases also get a reminder a day
before the 3-calendar-day "tell the provider what is missing" deadline.
"""

from datetime import datetime, timedelta

HALF, THREE_QUARTERS, NINETY, OVERDUE, INFORMATION_NOTICE = "50", "75", "90", "overdue", "information_notice"
FRACTIONS = ((HALF, 0.5), (THREE_QUARTERS, 0.75), (NINETY, 0.9))
# Remind a day ahead: the Maryland notice is due 23:59:59 on day 3 after receipt.
INFORMATION_NOTICE_LEAD = timedelta(days=1)


def alert_thresholds(
    *, received_at: datetime, decision_due_at: datetime, information_notice_due_at: datetime | None = None
) -> list[tuple[str, datetime]]:
    """Every alert threshold of a case with the moment it is reached, in time order."""
    span = decision_due_at - received_at
    points = [(name, received_at + span * fraction) for name, fraction in FRACTIONS]
    points.append((OVERDUE, decision_due_at))
    if information_notice_due_at is not None:
        points.append((INFORMATION_NOTICE, max(received_at, information_notice_due_at - INFORMATION_NOTICE_LEAD)))
    return sorted(points, key=lambda p: p[1])


def alert_next_at(thresholds: list[tuple[str, datetime]], fired: set[str]) -> datetime | None:
    """When the sweep must next look at the case: the earliest threshold not yet raised."""
    pending = [at for name, at in thresholds if name not in fired]
    return min(pending) if pending else None
