"""A nurse without an authenticator cannot sign in with the password alone; with the
enrolment link an administrator issued she enrols one (password, QR code page, secret typed
in by the "phone"), notes the recovery codes, signs out, and signs in again with a password
and a code (issue 12, item 3)."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from um_portal.mfa import mfa_enrolment_link_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret_b32: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows; `steps_ahead` 30-second steps later (django-otp accepts
    the next step, and refuses a step it has already seen)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{totp(key, step=30, t0=-30 * steps_ahead, digits=6):06d}"


def test_nurse_enrols_totp_and_logs_in_with_a_code(settings, nurse, admin_user, page, live_server, login, screenshot):
    settings.MFA_ENFORCED = True
    settings.DEMO_MODE = False

    login("nurse")
    assert "/accounts/login/" in page.url, "no sign-in without a second factor"
    assert "enrolment link" in page.locator("#enrolment-needed").inner_text()
    screenshot("mfa-enrolment-needed")

    _, token = mfa_enrolment_link_issue(user=nurse, by=admin_user)
    page.goto(f"{live_server.url}/accounts/mfa/enrol/{token}/")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#totp-qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    screenshot("mfa-enrol-qr")

    page.fill("#id_token", code_for(secret))
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("networkidle")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot("mfa-recovery-codes")
    page.click("text=Continue")
    page.wait_for_load_state("networkidle")
    assert "Work queue" in page.locator("#role-links").inner_text()
    assert TOTPDevice.objects.get(user=nurse).confirmed

    page.click("text=Log out")
    page.wait_for_load_state("networkidle")
    login("nurse")
    assert "/accounts/mfa/verify/" in page.url, "the password alone is not enough"
    page.goto(f"{live_server.url}/")
    assert "/accounts/mfa/verify/" in page.url, "no page without the code"

    page.fill("#id_token", code_for(secret, steps_ahead=1))
    screenshot("mfa-verify")
    page.click("button.primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == live_server.url
    assert "Work queue" in page.locator("#role-links").inner_text()
    screenshot("mfa-signed-in")
