"""Issue 12, item 1: a successful sign-in clears only the failures of the username that
signed in, never those other usernames collected from the same address. Interleaving a
good login of one's own account must not give an attacker endless guesses at another's
password, on the login page or the token endpoint. Per-address limits still hold."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ATTACKER_ADDRESS = "198.51.100.77"
WRONG = "wrong-password-123"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def _page_login(username, password, address=ATTACKER_ADDRESS):
    return Client(REMOTE_ADDR=address).post("/accounts/login/", {"username": username, "password": password})


def _token(username, password, address=ATTACKER_ADDRESS):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_own_login_between_guesses_does_not_reset_the_victims_failures_on_the_page(nurse, provider):
    # The attack of the issue: 4 wrong guesses at the victim, a good login of one's own, repeat.
    for _round in range(3):
        for _ in range(4):
            _page_login("nurse", WRONG)
        _page_login("provider", PASSWORD)

    # After 12 wrong guesses the right password is refused, from this and any other address.
    assert _page_login("nurse", PASSWORD).status_code == 429
    assert _page_login("nurse", PASSWORD, address="192.0.2.200").status_code == 429


def test_own_token_between_guesses_does_not_reset_the_victims_failures_on_the_api(nurse, provider):
    for _round in range(3):
        for _ in range(4):
            assert _token("nurse", WRONG).status_code == 401
        # The attacker's own token, and a page login, from the same address.
        _token("provider", PASSWORD)
        _page_login("provider", PASSWORD)

    locked = _token("nurse", PASSWORD, address="192.0.2.201")
    assert locked.status_code == 401 and locked.json()["code"] == "account_locked"
    assert not Token.objects.filter(user=nurse).exists()


def test_a_success_clears_only_its_own_usernames_failures(nurse, provider):
    for _ in range(2):
        _page_login("nurse", WRONG)
        _page_login("provider", WRONG)

    assert _page_login("provider", PASSWORD).status_code == 302

    assert not AccessAttempt.objects.filter(username="provider").exists()
    assert sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="nurse")) == 2


def test_a_token_success_clears_its_own_usernames_failures(provider):
    for _ in range(4):
        _token("provider", WRONG)
    assert _token("provider", PASSWORD).status_code == 200
    assert not AccessAttempt.objects.filter(username="provider").exists()
    for _ in range(4):
        _token("provider", WRONG)
    assert _token("provider", PASSWORD).status_code == 200, "four fresh failures are still under the limit"


def test_the_address_limit_still_holds_across_usernames(nurse, physician, provider):
    # Spraying guesses at many usernames from one address locks the address, even for a
    # username that never failed and between good logins of the attacker's own account.
    for username in ("a1", "a2", "a3"):
        _page_login(username, WRONG)
    _page_login("provider", PASSWORD)
    for username in ("a4", "a5"):
        _page_login(username, WRONG)
    assert _page_login("physician", PASSWORD).status_code == 429
    assert _page_login("physician", PASSWORD, address="192.0.2.202").status_code == 302
