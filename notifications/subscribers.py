"""What notifications does when `cases` records a fact: subscribed once, at app start
(NotificationsConfig.ready), through the one dispatcher, `cases.dispatch`.

Notice letters are generated from these events in Celery once the writing transaction
commits; the letter sweep (services/sweep.py) catches up on any whose message was lost.
"""

import logging

from kombu.exceptions import OperationalError as BrokerError

from cases import dispatch
from cases.models import CaseEvent
from um_portal.enqueue import task_send

from .letters.kinds import LETTER_EVENT_KINDS
from .task_names import LETTERS_GENERATE_FOR_EVENT, PROVIDER_NOTICES_FOR_EVENT

log = logging.getLogger(__name__)


def letters_enqueue(event_id: int) -> None:
    try:
        task_send(LETTERS_GENERATE_FOR_EVENT, event_id)
    except BrokerError:
        log.exception("Could not enqueue letters for event %s; the letter sweep will.", event_id)


def provider_notices_enqueue(event_id: int) -> None:
    try:
        task_send(PROVIDER_NOTICES_FOR_EVENT, event_id)
    except BrokerError:
        log.exception("Could not enqueue provider notices for event %s.", event_id)


def subscribe() -> None:
    dispatch.subscribe(name="notifications.letters", kinds=LETTER_EVENT_KINDS, handler=letters_enqueue)
    # Provider offices hear of pends, decisions and talks offered (issue 22, item 2), and of
    # an in-network provider proposed for their referral (issue 20).
    kind = CaseEvent.Kind
    dispatch.subscribe(
        name="notifications.provider_notices",
        kinds=frozenset(
            {kind.INFORMATION_REQUESTED, kind.DECISION_RECORDED, kind.PEER_TO_PEER_UPDATED, kind.REDIRECTION_OFFERED}
        ),
        handler=provider_notices_enqueue,
    )
