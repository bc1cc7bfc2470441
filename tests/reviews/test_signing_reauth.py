"""Signing re-authenticates: the password, or a current authenticator code where enrolled."""

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews.services.signing import signature_verify
from tests.conftest import PASSWORD
from tests.um_portal.test_mfa_enforcement import current_code
from um_portal.exceptions import NotAllowed, ValidationFailed
from um_portal.mfa import recovery_codes_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(physician):
    return TOTPDevice.objects.create(user=physician, name="authenticator", confirmed=True)


def test_password_signs(physician):
    signature_verify(user=physician, password=PASSWORD)


def test_wrong_password_does_not_sign(physician):
    with pytest.raises(ValidationFailed) as err:
        signature_verify(user=physician, password="not-the-password")
    assert err.value.code == "signature_invalid"


def test_a_current_code_signs_in_the_otp_field_or_the_password_field(physician, device):
    signature_verify(user=physician, password=None, otp=current_code(device))
    device.last_t = -1  # let the same time step be used again for the second door
    device.save(update_fields=["last_t"])
    signature_verify(user=physician, password=current_code(device))


def test_a_wrong_code_does_not_sign(physician, device):
    with pytest.raises(ValidationFailed):
        signature_verify(user=physician, password=None, otp="000000")


def test_a_code_does_not_sign_for_a_physician_without_an_authenticator(physician):
    with pytest.raises(ValidationFailed):
        signature_verify(user=physician, password="123456")


def test_a_recovery_code_does_not_sign(physician, device):
    code = recovery_codes_generate(user=physician)[0]
    with pytest.raises(ValidationFailed):
        signature_verify(user=physician, password=None, otp=code)


def test_an_enrolled_physician_can_still_sign_with_the_password(physician, device):
    signature_verify(user=physician, password=PASSWORD)


def test_repeated_failures_pause_signing_even_with_the_right_password(physician):
    cache.clear()
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            signature_verify(user=physician, password="not-the-password")
    with pytest.raises(NotAllowed) as err:
        signature_verify(user=physician, password=PASSWORD)
    assert err.value.code == "signature_locked"
    cache.clear()
    signature_verify(user=physician, password=PASSWORD)


def test_a_good_signature_resets_the_count(physician):
    cache.clear()
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            signature_verify(user=physician, password="not-the-password")
    signature_verify(user=physician, password=PASSWORD)
    with pytest.raises(ValidationFailed):
        signature_verify(user=physician, password="not-the-password")
    signature_verify(user=physician, password=PASSWORD)
