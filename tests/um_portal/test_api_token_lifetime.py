"""Issue 12 ("also decide"): API tokens expire after API_TOKEN_IDLE_DAYS without use
(default 30), the user revokes their own (API and page), an administrator revokes anyone's
and cannot read their keys, and signing out of the web session does not revoke a token."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _issue(username="provider") -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(key: str):
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_idle_for_longer_than_the_limit_is_refused_and_a_new_one_is_issued(provider):
    with time_machine.travel(T0, tick=False):
        key = _issue()
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        assert _me(key).status_code == 200, "used within 30 days: still good, and the clock restarts"
    with time_machine.travel(T0 + timedelta(days=58), tick=False):
        assert _me(key).status_code == 200
    with time_machine.travel(T0 + timedelta(days=88, minutes=1), tick=False):
        expired = _me(key)
        assert expired.status_code == 401
        assert expired.json()["code"] == "token_expired" and "30 days" in expired.json()["detail"]
        assert not Token.objects.filter(key=key).exists()
        fresh = _issue()
        assert fresh != key and _me(fresh).status_code == 200


def test_asking_again_for_an_idle_expired_token_gives_a_new_key(provider):
    with time_machine.travel(T0, tick=False):
        key = _issue()
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert _issue() != key


def test_the_idle_limit_is_configurable(settings, provider):
    settings.API_TOKEN_IDLE_DAYS = 1
    with time_machine.travel(T0, tick=False):
        key = _issue()
    with time_machine.travel(T0 + timedelta(days=1, minutes=1), tick=False):
        assert _me(key).json()["code"] == "token_expired"


def test_the_user_revokes_their_token_through_the_api(provider):
    key = _issue()
    api = APIClient()
    revoked = api.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {key}")
    assert revoked.status_code == 204
    assert _me(key).status_code == 401
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401


def test_the_user_revokes_their_token_from_the_page(client, provider):
    key = _issue()
    client.force_login(provider)
    page = client.get("/accounts/api-token/")
    assert page.status_code == 200 and "last used" in page.content.decode()
    assert key not in page.content.decode(), "the key is never shown again"

    done = client.post("/accounts/api-token/", follow=True)

    assert "was revoked" in done.content.decode()
    assert _me(key).status_code == 401


def test_an_administrator_revokes_and_cannot_read_token_keys(admin_user, provider):
    key = _issue()
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get("/admin/authtoken/tokenproxy/").status_code == 404

    response = admin.post(
        "/admin/um_portal/user/", {"action": "revoke_api_tokens", "_selected_action": [provider.pk]}, follow=True
    )

    assert "Revoked 1 API token" in response.content.decode()
    assert _me(key).status_code == 401


def test_signing_out_of_the_web_session_does_not_revoke_the_api_token(provider):
    key = _issue()
    browser = Client()
    assert browser.post("/accounts/login/", {"username": "provider", "password": PASSWORD}).status_code == 302
    browser.post("/accounts/logout/")
    assert "_auth_user_id" not in browser.session
    assert _me(key).status_code == 200


def test_an_idle_expired_token_is_refused_on_the_fhir_endpoints_too(provider):
    with time_machine.travel(T0, tick=False):
        key = _issue()
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        response = APIClient().post(
            "/fhir/Claim/$inquire", {"resourceType": "Bundle"}, format="json", HTTP_AUTHORIZATION=f"Token {key}"
        )
    assert response.status_code == 401
    assert not Token.objects.filter(key=key).exists()
