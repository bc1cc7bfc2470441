"""The suite's Celery tasks go to a queue of this run only (settings_test), so a worker of a
running `make run` (same Redis, default queue "celery", its own database) cannot take them."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from notifications.tasks import deadline_sweep
from um_portal.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PORTAL_WORKER = "portal-worker-under-test@localhost"
TIMEOUT = 60


def _wait_for(predicate, seconds=TIMEOUT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def portal_worker(tmp_path):
    """A worker started as `make run` starts it (um_portal.settings, no -Q: the default
    queue), on this run's Redis, with a database of its own as `make run` has."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "um_portal.settings",
        "DEBUG": "1",
        "DEMO_MODE": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "CELERY_BROKER_URL": settings.REDIS_URL,
    }
    log = tmp_path / "portal-worker.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "um_portal", "worker", "--pool=solo", "--loglevel=INFO"]
            + [f"--hostname={PORTAL_WORKER}", "--without-mingle", "--without-gossip"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Ready once it answers a ping (remote control goes through its own exchange).
        assert _wait_for(lambda: app.control.ping(destination=[PORTAL_WORKER], timeout=1)), log.read_text()
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_running_portals_worker_does_not_take_the_suites_tasks(portal_worker, celery_worker):
    # Given the portal's worker listening on the default queue beside the suite's worker...
    queues = app.control.inspect(destination=[PORTAL_WORKER], timeout=5).active_queues()
    assert [q["name"] for q in queues[PORTAL_WORKER]] == ["celery"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE.startswith("um-test-")

    # When the suite sends several tasks (each would be lost if the portal's worker took it:
    # it has another database and keeps no results)...
    results = [deadline_sweep.apply_async(ignore_result=False) for _ in range(6)]

    # Then the suite's worker ran every one, and the portal's worker received none.
    assert [r.get(timeout=TIMEOUT)["ran"] for r in results] == [True] * 6
    assert "Received task" not in portal_worker.read_text()
