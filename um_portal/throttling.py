"""API throttles that survive a Redis outage (issue 12, item 4).

DRF counts requests in the shared cache (Redis in production). When it does not answer,
the throttles fail open to a count kept in this process, so the API keeps serving with a
limit still in force (per process instead of per cluster), and say so loudly in the log,
once per outage and process. After a failure Redis is left alone for RETRY_SECONDS, so a
dead server costs no connection attempt per request; then it is tried again, and a
success switches back (with a log line saying so).

`CACHE_ERRORS` is what the Redis cache raises when the server is unreachable; the signing
counter (reviews.services.signing) fails closed on the same errors.
"""

import logging
import threading
import time

import redis
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling

log = logging.getLogger("um_portal.resilience")

CACHE_ERRORS = (redis.RedisError, OSError)
RETRY_SECONDS = 5.0  # a few seconds: short against an outage, long against a request rate

_local = LocMemCache("um-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_state = {"down_since": None, "retry_at": 0.0}
_lock = threading.Lock()


def fallback_active() -> bool:
    """Whether this process is counting throttles locally because Redis did not answer."""
    return _state["down_since"] is not None


def fallback_reset(*, keep_local: bool = False) -> None:
    """Forget the outage (tests; and after RETRY_SECONDS the next call tries Redis anyway)."""
    with _lock:
        _state["retry_at"] = 0.0
        if not keep_local:
            _state["down_since"] = None
            _local.clear()


def _failed(exc: Exception) -> None:
    with _lock:
        _state["retry_at"] = time.monotonic() + RETRY_SECONDS
        if _state["down_since"] is None:
            _state["down_since"] = time.time()
            log.error(
                "REDIS UNREACHABLE: API throttling now counts per-process (limits apply per web process, "
                "not per cluster) and signing is refused until the shared cache answers again: %s: %s",
                type(exc).__name__,
                exc,
            )


def _recovered() -> None:
    with _lock:
        if _state["down_since"] is not None:
            log.warning(
                "Redis answers again after %.0f s: API throttling is shared again.", time.time() - _state["down_since"]
            )
            _state["down_since"] = None
            _local.clear()


class FailOpenCache:
    """The two calls DRF's throttles make (get, set), on the shared cache when it answers,
    on a per-process cache when not."""

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)

    def _call(self, method: str, *args):
        if fallback_active() and time.monotonic() < _state["retry_at"]:
            return getattr(_local, method)(*args)
        try:
            result = getattr(shared_cache, method)(*args)
        except CACHE_ERRORS as exc:
            _failed(exc)
            return getattr(_local, method)(*args)
        _recovered()
        return result


class UserRateThrottle(throttling.UserRateThrottle):
    cache = FailOpenCache()


class AnonRateThrottle(throttling.AnonRateThrottle):
    cache = FailOpenCache()
