"""Which case events call for notice letters (RULES.md section 2). The letter subscriber
(notifications/subscribers.py) and the letter sweep both read this one set."""

from cases.models import CaseEvent

Kind = CaseEvent.Kind

LETTER_EVENT_KINDS = frozenset(
    {
        Kind.DECISION_RECORDED,
        Kind.INFORMATION_REQUESTED,
        Kind.EXTENDED,
        Kind.APPEAL_DECIDED,
        # The member is told of the new servicing provider (issue 20).
        Kind.REDIRECTION_ACCEPTED,
    }
)
