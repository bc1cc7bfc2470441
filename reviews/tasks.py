"""Celery tasks of the reviews app: small, idempotent, calling one service."""

from datetime import datetime

from celery import shared_task

from um_portal.retry import retry_policy

from .services.sweep import deadline_sweep_run


# Transient errors only (um_portal.retry, the one policy); the next beat run is a minute away.
@shared_task(**retry_policy())
def deadline_sweep(now: str | None = None) -> dict:
    """Raise every deadline alert that is due (beat: every minute). `now` (ISO 8601 with
    offset) is for tests and checks only. A full run asks for another one at once so a
    backlog after an outage drains without waiting for the next minute."""
    result = deadline_sweep_run(now=datetime.fromisoformat(now) if now else None)
    if result.more:
        deadline_sweep.delay(now)
    return result.as_dict()
