"""Liveness (/healthz) and readiness (/readyz) for load balancers and docker-compose.

- /healthz: this process answers and reaches the database. Nothing more: restart me if not.
- /readyz: every part the portal needs, each named, 503 when any is down (but 200 with
  status "degraded" when only Redis is: the node keeps serving, see DEGRADED_WITHOUT_REDIS):
  database (SELECT 1), redis (the broker, and the shared cache round trip), worker (age of
  the last heartbeat task a worker ran) and beat (age of the last deadline sweep beat sent).

Heartbeats live in Redis (REDIS_URL), which every node shares. The worker's heartbeat is a
tiny task that beat sends every HEARTBEAT_SECONDS; a readiness request also sends one when
the last is getting old, so a stopped beat does not make the workers look dead. Beat's age
is stamped from inside the beat process each time it sends the deadline sweep (and when it
starts), so a stopped worker does not make beat look dead either.

Both answer in middleware before the host check and the HTTPS redirect (the probes come by
container address over plain HTTP), and say nothing but up/down and ages.
"""

import logging
import time

import redis
from celery import current_app
from celery.signals import beat_init, before_task_publish, task_postrun
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

log = logging.getLogger(__name__)

WORKER_KEY = "um:health:worker"
BEAT_KEY = "um:health:beat"
SWEEP_KEY = "um:health:sweep"
PING_LOCK_KEY = "um:health:ping-sent"
HEARTBEAT_TASK = "um_portal.tasks.heartbeat"
SWEEP_ENTRY = "deadline-sweep"  # the beat schedule entry (um_portal.celery) whose runs "beat" means
TIMEOUT = 2.0


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


def stamp(key: str) -> None:
    """Record 'now' under `key` (seconds since the epoch); never raises."""
    try:
        _redis().set(key, repr(time.time()))
    except redis.RedisError as exc:
        log.warning("Health stamp %s not written: %s", key, exc)


def _age(client: redis.Redis, key: str) -> float | None:
    value = client.get(key)
    return None if value is None else max(0.0, time.time() - float(value))


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 (any failure means "down", and says why)
        return {"ok": False, "error": type(exc).__name__}


def _check_redis(client: redis.Redis) -> dict:
    try:
        client.ping()
        cache.set(PING_LOCK_KEY + ":probe", 1, timeout=10)
        if cache.get(PING_LOCK_KEY + ":probe") != 1:
            return {"ok": False, "error": "cache round trip failed"}
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def _check_age(client: redis.Redis, key: str, max_age: float, never: str) -> dict:
    age = _age(client, key)
    if age is None:
        return {"ok": False, "error": never}
    result = {"ok": age <= max_age, "age_seconds": round(age, 1)}
    if not result["ok"]:
        result["error"] = f"last seen {age:.0f} s ago (limit {max_age:.0f} s)"
    return result


def _ask_for_heartbeat(client: redis.Redis) -> None:
    """Send one heartbeat task when the last is past half its limit (at most one every 10 s
    across all nodes), so readiness does not depend on beat for the worker's check."""
    age = _age(client, WORKER_KEY)
    if age is not None and age < settings.READY_WORKER_MAX_AGE / 2:
        return
    if client.set(PING_LOCK_KEY, "1", nx=True, ex=10):
        current_app.send_task(HEARTBEAT_TASK, expires=settings.READY_WORKER_MAX_AGE)


def readiness() -> tuple[bool, dict]:
    client = _redis()
    try:
        return _readiness(client)
    finally:
        client.close()


def _readiness(client: redis.Redis) -> tuple[bool, dict]:
    checks = {"database": _check_database()}
    checks["redis"] = _check_redis(client)
    if checks["redis"]["ok"]:
        try:
            _ask_for_heartbeat(client)
            checks["worker"] = _check_age(client, WORKER_KEY, settings.READY_WORKER_MAX_AGE, "no heartbeat yet")
            checks["beat"] = _check_age(client, BEAT_KEY, settings.READY_BEAT_MAX_AGE, "no sweep sent yet")
            sweep = _age(client, SWEEP_KEY)
            checks["beat"]["last_sweep_ran_seconds_ago"] = None if sweep is None else round(sweep, 1)
        except Exception as exc:  # noqa: BLE001 (Redis dropped between two calls)
            checks["redis"] = {"ok": False, "error": type(exc).__name__}
    for part in ("worker", "beat"):
        checks.setdefault(part, {"ok": False, "error": "unknown: Redis is down"})
    ok = all(check["ok"] for check in checks.values())
    return ok, checks


def healthz(request=None) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# What a web node does without Redis (issue 12, item 4): it keeps serving in this mode.
DEGRADED_WITHOUT_REDIS = {
    "throttling": "counted per process (um_portal.throttling), not across the cluster",
    "signing": "physician signatures are refused (503) until Redis answers",
    "letters": "enqueue fails and is logged; the letter sweep sends them once Redis is back",
}


def readyz(request=None) -> JsonResponse:
    """200 "ready"; 200 "degraded" when only Redis (and so what is seen through it) is down,
    because the node still serves and must stay in the load balancer; 503 "unavailable"
    otherwise, naming what is down."""
    ok, checks = readiness()
    down = [name for name, check in checks.items() if not check["ok"]]
    degraded = not ok and checks["database"]["ok"] and not checks["redis"]["ok"]
    body = {"status": "ready" if ok else "degraded" if degraded else "unavailable", "down": down, "checks": checks}
    if degraded:
        body["degraded"] = DEGRADED_WITHOUT_REDIS
        log.error("Readiness degraded: Redis is down (%s)", checks["redis"].get("error"))
    response = JsonResponse(body, status=200 if ok or degraded else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers GET /healthz and /readyz before anything else (host check, HTTPS redirect,
    sessions): probes call the container by address over plain HTTP."""

    ROUTES = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        handler = self.ROUTES.get(request.path_info)
        if handler is not None and request.method in ("GET", "HEAD"):
            return handler(request)
        return self.get_response(request)


def _sweep_task() -> str | None:
    return current_app.conf.beat_schedule.get(SWEEP_ENTRY, {}).get("task")


# Beat's side: stamp when beat starts and whenever this process sends the deadline sweep.
_in_beat = False


@beat_init.connect
def _beat_started(sender=None, **kwargs):
    global _in_beat
    _in_beat = True
    stamp(BEAT_KEY)


@before_task_publish.connect
def _beat_sent(sender=None, **kwargs):
    if _in_beat and sender == _sweep_task():
        stamp(BEAT_KEY)


@task_postrun.connect
def _sweep_ran(sender=None, **kwargs):
    if getattr(sender, "name", None) == _sweep_task():
        stamp(SWEEP_KEY)
