"""The idle warning appears before the automatic logoff, "Stay signed in" renews the
session, and doing nothing ends on the login page. Idle time shortened to 6 seconds."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_idle_warning_keep_alive_and_logoff(settings, nurse, page, live_server, login, screenshot):
    settings.SESSION_COOKIE_AGE = 6  # the warning shows half-way for such a short session
    login("nurse")
    warning = page.locator("#session-warning")
    assert warning.is_hidden()

    warning.wait_for(state="visible", timeout=6000)
    screenshot("session-idle-warning")
    with page.expect_response(lambda r: r.url.endswith("/accounts/keep-alive/")) as keep_alive:
        page.click("#session-stay")
    assert keep_alive.value.status == 204
    assert warning.is_hidden()

    page.wait_for_url("**/accounts/login/?next=*", timeout=12000)
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url, "the server ended the session too"
