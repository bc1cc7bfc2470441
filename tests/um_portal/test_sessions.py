"""Sessions end after SESSION_IDLE_SECONDS without a request (not a fixed time after login),
at browser close, and everywhere when the password changes; the page carries the idle
warning script and the keep-alive endpoint renews the session."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _at(minutes: int):
    """Patch the clock to `minutes` from the real now."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=minutes))


@pytest.mark.django_db
def test_session_ends_after_fifteen_idle_minutes_and_activity_renews_it(client, nurse, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    client.post("/accounts/login/", {"username": "nurse", "password": PASSWORD})
    with _at(14):
        assert client.get("/").status_code == 200, "14 idle minutes: still signed in"
    with _at(28):
        assert client.get("/").status_code == 200, "activity at 14 renewed it: 28 minutes after login is fine"
    with _at(44):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), "16 idle minutes"


@pytest.mark.django_db
def test_keep_alive_renews_the_session(client, nurse):
    client.force_login(nurse)
    key = client.session.session_key
    with _at(10):
        assert client.post("/accounts/keep-alive/").status_code == 204
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=24)


@pytest.mark.django_db
def test_keep_alive_does_not_revive_an_ended_session(client, nurse):
    client.force_login(nurse)
    with _at(16):
        response = client.post("/accounts/keep-alive/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_pages_carry_the_idle_warning_without_inline_script(client, nurse):
    client.force_login(nurse)
    body = client.get("/").content.decode()
    assert 'data-session-idle="900"' in body
    assert 'data-keepalive-url="/accounts/keep-alive/"' in body
    assert '<script src="/static/um_portal/session.js" defer></script>' in body
    assert 'id="session-warning"' in body
    script = (ROOT / "um_portal/static/um_portal/session.js").read_text()
    assert "WARN_BEFORE = Math.min(60" in script and "keepAliveUrl" in script


@pytest.mark.django_db
def test_changing_the_password_signs_out_every_other_session(nurse):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        assert device.post("/accounts/login/", {"username": "nurse", "password": PASSWORD}).status_code == 302
        assert device.get("/").status_code == 200

    response = laptop.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-2026",
            "new_password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200, "the session that changed it stays signed in"
    assert phone.get("/")["Location"].startswith("/accounts/login/"), "every other session ends"


@pytest.mark.django_db
def test_changing_the_password_revokes_api_tokens(client, nurse):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=nurse)
    client.force_login(nurse)
    new = "a-new-long-passphrase-2026"
    client.post("/accounts/password/change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert not Token.objects.filter(user=nurse).exists()


@pytest.mark.django_db
def test_pages_renew_the_session_at_most_every_renew_interval(client, nurse, settings):
    # Given a nurse who signed in, the session renewed by her first page
    assert settings.SESSION_RENEW_SECONDS == 30
    client.post("/accounts/login/", {"username": "nurse", "password": PASSWORD})
    key = client.session.session_key
    client.get("/")
    first = Session.objects.get(session_key=key).expire_date

    # When she opens pages 10 and 29 seconds later, the session is not written again
    for seconds in (10, 29):
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=seconds)):
            assert client.get("/").status_code == 200
        assert Session.objects.get(session_key=key).expire_date == first, seconds

    # Then a page 31 seconds on pushes the expiry back by those seconds
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=31)):
        client.get("/")
    renewed = Session.objects.get(session_key=key).expire_date
    assert timedelta(seconds=30) < renewed - first < timedelta(seconds=40)


@pytest.mark.django_db
def test_keep_alive_renews_even_right_after_a_page(client, nurse):
    client.force_login(nurse)
    key = client.session.session_key
    client.get("/")
    before = Session.objects.get(session_key=key).expire_date
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=5)):
        assert client.post("/accounts/keep-alive/").status_code == 204
    assert Session.objects.get(session_key=key).expire_date > before


@pytest.mark.django_db
def test_anonymous_requests_create_no_session(client):
    assert client.get("/accounts/login/").status_code == 200
    assert not Session.objects.exists()
