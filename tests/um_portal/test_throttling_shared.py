"""API throttling counted in Redis in one round trip (issue #13): the same answers as DRF's
own count (a sliding window of request times per client), with the Retry-After it gives."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from um_portal import throttling

pytestmark = [pytest.mark.django_db]

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(params=["redis", "locmem"])
def shared_cache(request, settings, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "4/minute", "anon": "4/minute"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "4/minute", "anon": "4/minute"})
    if request.param == "redis":
        request.applymarker(pytest.mark.redis)
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.REDIS_URL,
                "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
            },
        }
    else:
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    throttling.fallback_reset()
    yield request.param
    throttling.fallback_reset()


def _statuses(api, n):
    answers = [api.get("/api/v1/me/") for _ in range(n)]
    return [a.status_code for a in answers], answers[-1]


def test_the_limit_holds_within_the_period_and_frees_up_after_it(shared_cache, api, provider):
    api.as_user(provider)
    with time_machine.travel(T0, tick=False):
        statuses, last = _statuses(api, 5)
        assert statuses == [200, 200, 200, 200, 429]
        assert last["Retry-After"] == "60", "DRF's wait: the whole period, one place to free"
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        statuses, last = _statuses(api, 1)
        assert statuses == [429] and last["Retry-After"] == "30"
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert _statuses(api, 5)[0] == [200, 200, 200, 200, 429]


def test_each_user_has_a_count_of_their_own(shared_cache, api, provider, nurse):
    with time_machine.travel(T0, tick=False):
        assert _statuses(api.as_user(provider), 5)[0][-1] == 429
        assert _statuses(api.as_user(nurse), 4)[0] == [200] * 4


def test_redis_counts_in_one_round_trip_per_throttle(shared_cache, api, provider):
    if shared_cache != "redis":
        pytest.skip("Redis only")
    api.as_user(provider)
    api.get("/api/v1/me/")
    backend = caches["default"]
    key = f"{backend.make_and_validate_key(f'throttle_user_{provider.pk}')}:log"
    assert backend._cache.get_client().llen(key) == 1
