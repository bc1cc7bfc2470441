"""The one dispatcher from case facts to the apps above `cases`.

Dependencies run one way (README, "Architecture"): `cases` never imports `reviews` or
`notifications`. It records a fact, an append-only `CaseEvent` row (the outbox), and the
apps above subscribe to the kinds they react to, once, at app start (`AppConfig.ready`).
Each subscriber gets the event id after the transaction that wrote the event commits, so
it never sees a fact that was rolled back (Saleor's `events.py` + `call_event`, Zulip's
`send_event_on_commit`). A subscriber whose work is lost (a broker outage, a dead worker)
is caught up by its app's periodic sweep: the letter sweep and the deadline sweep are the
safety net, the dispatcher is the fast path.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

Handler = Callable[[int], None]


@dataclass(frozen=True)
class Subscription:
    name: str
    kinds: frozenset[str]
    handler: Handler


_subscriptions: dict[str, Subscription] = {}


def subscribe(*, name: str, kinds: Iterable[str], handler: Handler) -> None:
    """Register `handler(event_id)` for events of these kinds. `name` makes registering
    idempotent (ready() can run more than once); a second name for one handler is a bug."""
    _subscriptions[name] = Subscription(name=name, kinds=frozenset(kinds), handler=handler)


def unsubscribe(*, name: str) -> None:
    _subscriptions.pop(name, None)


def subscriptions() -> list[Subscription]:
    return sorted(_subscriptions.values(), key=lambda s: s.name)


def subscribed_kinds() -> frozenset[str]:
    """Every event kind somebody reacts to."""
    return frozenset().union(*(s.kinds for s in _subscriptions.values()))


def event_dispatch(*, event_id: int, kind: str) -> None:
    """Hand the event to each subscriber of its kind once the transaction commits (at
    once outside a transaction). Called by `cases.events` for every event it writes."""
    for subscription in subscriptions():
        if kind in subscription.kinds:
            transaction.on_commit(lambda handler=subscription.handler: handler(event_id))
