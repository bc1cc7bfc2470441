"""Lockout after repeated failed sign-ins (django-axes): per username and per client
address, a clear message, an administrator unlock, and the client address taken from the
configured proxy count."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD
from um_portal.client_ip import client_ip


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_a_username_is_locked_after_the_limit_even_with_the_right_password(nurse):
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        response = _login(Client(REMOTE_ADDR=address), "nurse", "wrong-password-123")
        assert response.status_code in (200, 429)

    # From yet another address, with the right password: still refused (per user).
    locked = _login(Client(REMOTE_ADDR="198.51.100.4"), "nurse", PASSWORD)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-in attempts" in body and "ask a UM administrator" in body
    assert "_auth_user_id" not in locked.wsgi_request.session


@pytest.mark.django_db
def test_an_address_is_locked_for_every_username(nurse, physician):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for username in ("someone", "another", "third"):
        _login(client, username, "wrong-password-123")
    assert _login(client, "physician", PASSWORD).status_code == 429
    # Another address is not affected.
    assert _login(Client(REMOTE_ADDR="203.0.113.8"), "physician", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_do_not_lock(nurse):
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(2):
        assert _login(client, "nurse", "wrong-password-123").status_code == 200
    assert _login(client, "nurse", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_administrator_unlocks_a_user_from_the_user_admin(admin_user, nurse):
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        _login(Client(REMOTE_ADDR=address), "nurse", "wrong-password-123")
    assert _login(Client(REMOTE_ADDR="198.51.100.9"), "nurse", PASSWORD).status_code == 429

    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/um_portal/user/", {"action": "unlock_login", "_selected_action": [nurse.pk]}, follow=True
    )
    assert "Unlocked 1 user" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="nurse").exists()
    assert _login(Client(REMOTE_ADDR="198.51.100.9"), "nurse", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_counts_too(admin_user):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(3):
        client.post("/admin/login/", {"username": "admin", "password": "nope-nope-nope"})
    assert client.post("/admin/login/", {"username": "admin", "password": PASSWORD}).status_code == 429


def test_client_address_without_a_proxy_is_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "192.0.2.1", "a forged header is ignored when no proxy is trusted"


def test_client_address_behind_one_proxy_is_what_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")
    assert client_ip(request) == "198.51.100.20", "the client-written part (left) is not trusted"
    bare = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5")
    assert client_ip(bare) == "10.0.0.5"


@pytest.mark.django_db
def test_lockout_behind_a_proxy_is_per_real_client(settings, nurse):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
    for username in ("a", "b", "c"):
        _login(attacker, username, "wrong-password-123")
    assert _login(attacker, "nurse", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.67")
    assert _login(colleague, "nurse", PASSWORD).status_code == 302
