"""Tasks of the core app."""

from celery import shared_task

from .retry import retry_policy


@shared_task(ignore_result=True, **retry_policy())
def heartbeat() -> None:
    """A worker is alive and takes work from the queue (read by /readyz)."""
    from .health import WORKER_KEY, stamp

    stamp(WORKER_KEY)
