"""The sweep task retries only transient database errors, with back-off and a cap."""

from django.db import IntegrityError, InterfaceError, OperationalError

from reviews.tasks import deadline_sweep


def test_only_transient_database_errors_are_retried():
    assert set(deadline_sweep.autoretry_for) == {OperationalError, InterfaceError}
    assert not issubclass(IntegrityError, tuple(deadline_sweep.autoretry_for))
    assert deadline_sweep.max_retries == 3
    assert deadline_sweep.retry_backoff and deadline_sweep.retry_backoff_max <= 60
