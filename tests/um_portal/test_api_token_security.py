"""The API token endpoint asks staff (and enrolled providers) for a current authenticator
code, and its failed attempts count toward the lockout like the login page's."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD

from .test_mfa_enforcement import current_code

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


@pytest.fixture
def mfa_on(settings):
    settings.MFA_ENFORCED = True


def _token(api, username, password=PASSWORD, **extra):
    return api.post(URL, {"username": username, "password": password, **extra}, format="json")


def test_staff_get_no_token_without_a_code(api, nurse, mfa_on):
    TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    response = _token(api, "nurse")
    assert response.status_code == 401
    assert response.json()["code"] == "mfa_required"
    assert not Token.objects.filter(user=nurse).exists()


def test_staff_get_no_token_with_a_wrong_code(api, nurse, mfa_on):
    TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    response = _token(api, "nurse", otp="000000")
    assert response.status_code == 401 and response.json()["code"] == "mfa_invalid"
    assert not Token.objects.filter(user=nurse).exists()


def test_staff_without_an_authenticator_are_told_to_enrol(api, physician, mfa_on):
    response = _token(api, "physician", otp="123456")
    assert response.status_code == 401 and response.json()["code"] == "mfa_enrolment_required"


def test_staff_with_a_current_code_get_a_token(api, nurse, mfa_on):
    device = TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    response = _token(api, "nurse", otp=current_code(device))
    assert response.status_code == 200
    assert Token.objects.get(user=nurse).key == response.json()["token"]


def test_a_provider_needs_no_code_unless_the_organization_requires_it(api, provider, ortho, mfa_on):
    assert _token(api, "provider").status_code == 200
    ortho.mfa_required = True
    ortho.save(update_fields=["mfa_required"])
    assert _token(api, "provider").json()["code"] == "mfa_enrolment_required"


def test_wrong_code_is_never_checked_before_the_password(api, nurse, mfa_on):
    TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    response = _token(api, "nurse", password="wrong-password-here", otp="000000")
    assert response.json()["code"] == "invalid_credentials"


def test_failed_token_requests_count_toward_the_lockout(api, settings, provider):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        assert _token(api, "provider", password="wrong-password-here").status_code == 401
    locked = _token(api, "provider")
    assert locked.status_code == 401
    assert locked.json()["code"] == "account_locked"
    assert "Too many failed sign-in attempts" in locked.json()["detail"]
    assert not Token.objects.filter(user=provider).exists()


def test_api_failures_lock_the_login_page_too(api, client, settings, provider):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _token(api, "provider", password="wrong-password-here")
    page = client.post("/accounts/login/", {"username": "provider", "password": PASSWORD})
    assert page.status_code == 429
