"""The one Celery retry policy (STYLE.md, "Celery"), used by every task of the portal.

Retry only what a moment later may well succeed: a dropped database connection, a deadlock
or a serialization failure (all OperationalError / InterfaceError in Django), and for tasks
that talk to a mail server, its hiccups. Never a domain error. Exponential back-off with
jitter from 5 seconds, each wait capped at 5 minutes and 5 retries in all (about 2.5
minutes), far below Redis's one-hour visibility timeout; past that the sweeps catch up.
"""

import smtplib

from django.db import InterfaceError, OperationalError

TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
TRANSIENT_MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, ConnectionError, TimeoutError)
RETRY_BACKOFF_SECONDS = 5
RETRY_BACKOFF_MAX_SECONDS = 300
MAX_RETRIES = 5


def retry_policy(*, also: tuple[type[BaseException], ...] = ()) -> dict:
    """Keyword arguments for `@shared_task(**retry_policy())`; `also` adds the transient
    errors of what the task talks to besides the database (TRANSIENT_MAIL_ERRORS)."""
    return {
        "autoretry_for": TRANSIENT_DB_ERRORS + tuple(also),
        "retry_backoff": RETRY_BACKOFF_SECONDS,
        "retry_backoff_max": RETRY_BACKOFF_MAX_SECONDS,
        "retry_jitter": True,
        "max_retries": MAX_RETRIES,
    }
