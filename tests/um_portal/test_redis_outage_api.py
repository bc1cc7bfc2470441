"""Issue 12, item 4: a Redis outage answered 500 everywhere in the API, because throttling
counts in the Redis cache. With the test's own Redis stopped, the API keeps serving: the
throttles fall back to a per-process count with a loud log line, readiness says
"degraded", token issuance and submits work, and an enqueue failure stays caught."""

import importlib
import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from cases.models import AuthorizationRequest
from tests.conftest import PASSWORD
from tests.redis_server import own_redis_fixture  # noqa: F401 - the own_redis fixture
from um_portal import throttling

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def low_limits(monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "4/minute", "anon": "4/minute"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "4/minute", "anon": "4/minute"})
    throttling.fallback_reset()
    yield
    throttling.fallback_reset()


def _submission(member, surgeon, ortho) -> dict:
    start = (timezone.localdate() + timedelta(days=20)).isoformat()
    return {
        "member_number": member.member_number,
        "member_date_of_birth": member.date_of_birth.isoformat(),
        "requesting_provider_npi": surgeon.npi,
        "servicing_provider_npi": ortho.npi,
        "service_category": "outpatient_procedure",
        "review_type": "prospective",
        "urgency": "standard",
        "diagnosis_codes": ["M17.11"],
        "lines": [{"code_system": "CPT", "code": "27447", "units": 1, "start_date": start, "end_date": start}],
        "clinical_summary": "Severe osteoarthritis.",
        "place_of_service": "22",
    }


def test_with_redis_down_the_api_serves_and_throttles_per_process_with_a_loud_log(
    own_redis, api, provider, member, surgeon, ortho, caplog
):
    api.as_user(provider)
    assert api.get("/api/v1/me/").status_code == 200  # counted in Redis

    own_redis.stop()
    caplog.set_level(logging.ERROR, logger="um_portal.resilience")

    token = APIClient().post("/api/v1/auth/token/", {"username": "provider", "password": PASSWORD}, format="json")
    assert token.status_code == 200, token.content
    submitted = api.post("/api/v1/authorizations/", _submission(member, surgeon, ortho), format="json")
    assert submitted.status_code == 201, submitted.content
    assert AuthorizationRequest.objects.filter(pk=submitted.json()["id"]).exists()
    assert api.get("/api/v1/me/").status_code == 200

    # The limit still holds, counted in this process: 4 a minute, and 2 were used since.
    answers = [api.get("/api/v1/me/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json()["code"] == "throttled"

    loud = [r for r in caplog.records if r.levelno >= logging.ERROR and "per-process" in r.getMessage()]
    assert len(loud) == 1, "one loud line per outage, not one per request"


def test_readiness_says_degraded_while_redis_is_down(own_redis, client):
    own_redis.stop()
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, "the web node still serves: it stays in the load balancer"
    assert body["status"] == "degraded"
    assert body["down"] == ["redis", "worker", "beat"]
    assert "per process" in body["degraded"]["throttling"]
    assert "refused" in body["degraded"]["signing"]


def test_throttling_goes_back_to_redis_when_it_returns(own_redis, api, provider):
    api.as_user(provider)
    own_redis.stop()
    assert api.get("/api/v1/me/").status_code == 200
    assert throttling.fallback_active()

    own_redis.start()
    throttling.fallback_reset(keep_local=True)  # the retry pause after a failure is over
    assert api.get("/api/v1/me/").status_code == 200
    assert not throttling.fallback_active()


def test_an_enqueue_failure_stays_caught_when_the_broker_is_down(
    own_redis, api, nurse, make_case, celery_broker_at, django_capture_on_commit_callbacks, caplog
):
    case = make_case()
    own_redis.stop()
    celery_broker_at(own_redis.url)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approved = api.as_user(nurse).post(f"/api/v1/authorizations/{case.pk}/approve/", {}, format="json")

    assert approved.status_code == 200, approved.content
    assert callbacks, "the letters were to be enqueued on commit"
    assert any("the letter sweep will" in r.getMessage() for r in caplog.records)


def test_a_simulation_started_with_the_broker_down_answers_and_says_why_it_waits(
    own_redis, api, admin_user, celery_broker_at, django_capture_on_commit_callbacks, caplog
):
    rules = "/api/v1/auto-approval-rules/"
    client = api.as_user(admin_user)
    created = client.post(
        rules, {"rule_name": "PT", "conditions": {"codes": ["97110"]}, "effective_from": "2026-01-01"}, format="json"
    )
    # Registered before the call: discovering task modules in the request reconfigures
    # logging (Celery's Django fixup), which would take the test's log capture away.
    importlib.import_module("automation.tasks")
    own_redis.stop()
    celery_broker_at(own_redis.url)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"{rules}{created.json()['id']}/simulate/",
            {"period_start": "2026-01-01", "period_end": "2026-01-31"},
            format="json",
        )

    assert started.status_code == 202, started.content
    assert any("start it again once Redis answers" in r.getMessage() for r in caplog.records)


@pytest.fixture
def celery_broker_at():
    """Point the project's Celery app at another broker for one test, then back."""
    from um_portal.celery import app

    saved = app.conf.broker_write_url

    def _reset():
        app._pool = None
        app.amqp._producer_pool = None

    def _point(url):
        app.conf.update(broker_write_url=url)
        _reset()

    yield _point
    app.conf.update(broker_write_url=saved)
    _reset()
