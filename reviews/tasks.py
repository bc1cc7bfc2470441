"""Celery tasks of the reviews app: small, idempotent, calling one service."""

from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.sweep import deadline_sweep_run

# Retry only what a moment later may well succeed (a dropped connection, a deadlock, a
# serialization failure: all OperationalError in Django); never a domain error. The cap
# keeps the back-off far below Redis's visibility timeout and the next beat run is a
# minute away anyway.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=2, retry_backoff_max=30, retry_jitter=True, max_retries=3)
def deadline_sweep(now: str | None = None) -> dict:
    """Raise every deadline alert that is due (beat: every minute). `now` (ISO 8601 with
    offset) is for tests and checks only. A full run asks for another one at once so a
    backlog after an outage drains without waiting for the next minute."""
    result = deadline_sweep_run(now=datetime.fromisoformat(now) if now else None)
    if result.more:
        deadline_sweep.delay(now)
    return result.as_dict()
