"""Decision clocks.

PLACEHOLDER until the clock engine (turnaround rules as data, business calendar) lands:
the NCQA UM 5 outer limits, 72 hours expedited and 15 calendar days standard, counted
from receipt. The clock engine replaces `case_clocks_compute` keeping its signature.
"""

from datetime import datetime, timedelta

# NCQA HPA UM 5: 72 hours for urgent pre-service, 15 calendar days for non-urgent pre-service.
EXPEDITED_HOURS = 72
STANDARD_DAYS = 15


def case_clocks_compute(*, case, information_received_at: datetime | None = None) -> tuple[datetime, list[dict]]:
    """The case's decision due time and the per-rule breakdown [{rule, due_at, started_by}].

    `information_received_at`: when a pend was answered; rules whose clock runs from receipt
    of the information (California, Maryland) restart from it (the engine does this)."""
    if case.urgency == "expedited":
        due = case.received_at + timedelta(hours=EXPEDITED_HOURS)
    else:
        due = case.received_at + timedelta(days=STANDARD_DAYS)
    return due, [{"rule": "ncqa", "due_at": due.isoformat(), "started_by": "received"}]
