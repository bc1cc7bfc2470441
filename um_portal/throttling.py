"""API throttles that survive a Redis outage (issue 12, item 4).

DRF's throttles count requests in the shared cache (Redis in production; there the count
is one small script, one round trip per request: SLIDING_LOG_SCRIPT). When it does not
answer, the throttles fail open to a count kept in this process, so the API keeps serving with a
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
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
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


# DRF's sliding window (a log of request times per client, the oldest dropped once older
# than the period), run inside Redis: one round trip per throttle instead of DRF's get and
# set (two, each building a client and pickling the list), and atomic, so two processes no
# longer both pass on the last free place. Returns whether the request passed, and for a
# refused one the log's length and oldest time (DRF's wait() reads those).
SLIDING_LOG_SCRIPT = """
local key, now, period, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
while true do
    local oldest = redis.call('LINDEX', key, -1)
    if not oldest or tonumber(oldest) > now - period then break end
    redis.call('RPOP', key)
end
local count = redis.call('LLEN', key)
if count >= limit then
    return {0, count, redis.call('LINDEX', key, -1) or false}
end
redis.call('LPUSH', key, ARGV[1])
redis.call('EXPIRE', key, ARGV[2])
return {1, count + 1, false}
"""


def _sliding_log():
    """The script on the shared cache's Redis, or None when the cache is not Redis (tests,
    a laptop) or Redis is in its retry pause: then DRF's own get and set run, through
    FailOpenCache. Kept on the cache object (one per thread, made again when the settings
    change), so no Redis client is built per request."""
    if fallback_active() and time.monotonic() < _state["retry_at"]:
        return None
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    script = backend.__dict__.get("_um_sliding_log")
    if script is None:
        # Django's Redis cache client and its connection pool (the cache's own settings).
        script = backend._cache.get_client(write=True).register_script(SLIDING_LOG_SCRIPT)
        backend._um_sliding_log = script
    return script


class _SlidingLogThrottle:
    cache = FailOpenCache()

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        script = _sliding_log()
        if script is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        try:
            passed, count, oldest = script(
                keys=[f"{caches[DEFAULT_CACHE_ALIAS].make_and_validate_key(self.key)}:log"],
                args=[repr(self.now), self.duration, self.num_requests],
            )
        except CACHE_ERRORS as exc:
            _failed(exc)
            return super().allow_request(request, view)
        _recovered()
        if passed:
            return True
        # DRF's wait() reads the log's length and its oldest time, nothing else.
        self.history = [self.now] * (count - 1) + [float(oldest)]
        return self.throttle_failure()


class UserRateThrottle(_SlidingLogThrottle, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_SlidingLogThrottle, throttling.AnonRateThrottle):
    pass
