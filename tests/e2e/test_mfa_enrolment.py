"""A nurse enrols an authenticator (QR code page, secret typed in by the "phone"), notes the
recovery codes, signs out, and signs in again with a password and a code."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret_b32: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows; `steps_ahead` 30-second steps later (django-otp accepts
    the next step, and refuses a step it has already seen)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{totp(key, step=30, t0=-30 * steps_ahead, digits=6):06d}"


def test_nurse_enrols_totp_and_logs_in_with_a_code(settings, nurse, page, live_server, login, screenshot):
    settings.MFA_ENFORCED = True

    login("nurse")
    assert "/accounts/mfa/setup/" in page.url, "staff without a device go to enrolment"
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
