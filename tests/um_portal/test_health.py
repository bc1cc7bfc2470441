"""/healthz (liveness) and /readyz (readiness): each part named, 503 when one is down."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from um_portal import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keys(settings):
    client = redis.Redis.from_url(settings.REDIS_URL)
    names = (health.WORKER_KEY, health.BEAT_KEY, health.SWEEP_KEY, health.PING_LOCK_KEY)
    client.delete(*names)
    yield client
    client.delete(*names)


def _ready(client, **extra):
    response = client.get("/readyz", **extra)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_healthz_is_the_liveness_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_names_worker_and_beat_until_they_have_been_seen(client, keys):
    status, body = _ready(client)

    assert status == 503 and body["status"] == "unavailable"
    assert body["down"] == ["worker", "beat"]
    assert body["checks"]["database"] == {"ok": True} and body["checks"]["redis"] == {"ok": True}
    assert body["checks"]["worker"]["error"] == "no heartbeat yet"
    # Readiness asked a worker for a heartbeat (once, whatever the number of probes).
    assert keys.exists(health.PING_LOCK_KEY)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_answers_the_heartbeat_and_beat_stamp_makes_it_ready(client, keys, celery_worker):
    health._beat_started()  # what beat_init does in the beat process
    deadline = time.monotonic() + 30
    status, body = _ready(client)
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        keys.delete(health.PING_LOCK_KEY)
        status, body = _ready(client)

    assert status == 200, body
    checks = body["checks"]
    assert body["status"] == "ready" and body["down"] == []
    assert checks["database"] == {"ok": True} and checks["redis"] == {"ok": True}
    assert checks["worker"]["ok"] and 0 <= checks["worker"]["age_seconds"] < 30
    assert checks["beat"]["ok"] and checks["beat"]["last_sweep_ran_seconds_ago"] is None


@pytest.mark.redis
@pytest.mark.django_db
def test_a_stale_heartbeat_or_sweep_is_down_with_its_age(client, keys, settings):
    settings.READY_WORKER_MAX_AGE = 60
    keys.set(health.WORKER_KEY, repr(time.time() - 200))
    keys.set(health.BEAT_KEY, repr(time.time() - 5))
    keys.set(health.PING_LOCK_KEY, "1")  # no new heartbeat asked for in this test

    status, body = _ready(client)

    assert status == 503 and body["down"] == ["worker"]
    assert body["checks"]["worker"]["error"].startswith("last seen 200 s ago (limit 60 s)")
    assert body["checks"]["beat"]["ok"] is True


@pytest.mark.django_db
def test_redis_down_is_named_and_worker_and_beat_are_unknown(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    status, body = _ready(client)

    # Degraded, not unavailable: the web node serves without Redis (issue 12, item 4).
    assert status == 200 and body["status"] == "degraded"
    assert body["down"] == ["redis", "worker", "beat"]
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert body["checks"]["worker"]["error"] == "unknown: Redis is down"


@pytest.mark.django_db
def test_probes_by_address_over_http_pass_the_host_check_and_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["um.example.org"]

    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.1.2.3:8000").status_code in (200, 503)
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # the rest is still guarded


def test_readiness_command_exits_1_naming_the_database_when_it_is_down():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="um_portal.settings",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "readiness", "--only", "database,redis"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Down: database, redis." in result.stderr
    assert '"database": {"error": "OperationalError", "ok": false}' in result.stdout
