"""Catch the tasks services enqueue (by name, um_portal.enqueue) without sending them: for
tests about *whether and when* a task is enqueued. Tests about what a task does run it in a
real worker (tests/notifications/conftest.py)."""

from contextlib import contextmanager
from unittest import mock

from celery import Celery


@contextmanager
def tasks_sent():
    sent: list[tuple[str, tuple]] = []

    def capture(app, name, args=None, **options):
        sent.append((name, tuple(args or ())))

    with mock.patch.object(Celery, "send_task", capture):
        yield sent
