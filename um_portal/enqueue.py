"""Services enqueue their follow-up tasks by name (STYLE.md, "Celery").

Tasks are thin entry points that call services; a service that imported its task module
would close an import cycle. `task_send` sends by the registered name instead, exactly as
`.delay()` would (same queue, same serializer, a broker error raised the same way), and
refuses a name no task is registered under, so a typo fails loudly at the first call.
"""

import importlib
import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)


def task_send(name: str, *args) -> None:
    if name not in current_app.tasks:
        # A web process has not imported every tasks module: import the task's own module
        # (not Celery's whole discovery, which would configure logging again).
        module = name.rpartition(".")[0]
        try:
            importlib.import_module(module)
        except ImportError:
            pass
        if name not in current_app.tasks:
            raise LookupError(f"No Celery task is registered as {name!r}.")
    current_app.send_task(name, args=args)


def task_send_on_commit(name: str, *args, unsent: str) -> None:
    """Send the task once the transaction commits. When the broker (Redis) is down the
    write has committed all the same, so the request must not answer 500: the failure is
    logged with `unsent` (what did not start and what to do about it) instead (issue 12)."""

    def _send() -> None:
        try:
            task_send(name, *args)
        except BrokerError:
            log.exception("Could not enqueue %s%s: %s", name, args, unsent)

    transaction.on_commit(_send)
