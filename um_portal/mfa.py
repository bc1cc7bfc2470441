"""Second factor (TOTP, django-otp) for staff, and for provider users who enrol or whose
organization requires it.

- `mfa_required_for(user)`: must this user prove a second factor (pages and API tokens)?
- `totp_device_start` / `totp_device_confirm`: enrolment with a QR code.
- `recovery_codes_generate`: one-time codes (django-otp static device), shown once.
- `otp_check(user=, token=)`: the device that accepts a code (TOTP or recovery), or None.
- `mfa_token_check(user=, otp=)`: the rule for the API token endpoint and re-authentication.

Codes are throttled by django-otp itself (each failure doubles the wait on that device).
"""

import base64
import io
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .exceptions import NotAllowed
from .roles import Role, user_role

# Security events (no PHI: user ids only), for the operations team's log monitoring.
security_log = logging.getLogger("um_portal.security")

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"


def user_has_mfa_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_required_for(user) -> bool:
    """Whether `user` must pass a second factor before reaching pages or getting a token.

    Staff roles always (HIPAA person authentication for PHI at scale); a provider user when
    enrolled or when the organization requires it. Off entirely only with MFA_ENFORCED=0
    (demo mode)."""
    if not settings.MFA_ENFORCED or not getattr(user, "is_authenticated", False):
        return False
    role = user_role(user)
    if role in (Role.NURSE, Role.PHYSICIAN, Role.ADMIN) or user.is_staff or user.is_superuser:
        return True
    organization = getattr(user, "organization", None)
    if organization is not None and getattr(organization, "mfa_required", False):
        return True
    return user_has_mfa_device(user)


def totp_device_start(*, user) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created once so the QR code stays
    the same across reloads of the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it for manual entry."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code (markup generated here, no user input)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending device if `token` is right: the user's other authenticators are
    replaced, and fresh recovery codes are returned (to show once). None if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        security_log.info("mfa enrolled: user_id=%s", user.pk)
        return recovery_codes_generate(user=user)


def recovery_codes_generate(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones; each works once."""
    with transaction.atomic():
        static, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
        static.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    security_log.info("recovery codes issued: user_id=%s", user.pk)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def otp_check(*, user, token: str | None):
    """The confirmed device (authenticator or recovery code) that accepts `token`, or None."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def mfa_devices_reset(*, user, by=None) -> None:
    """Administrator action: remove a user's authenticators and recovery codes (lost phone).
    A staff user then enrols again at the next login."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    security_log.warning("mfa reset: user_id=%s by user_id=%s", user.pk, getattr(by, "pk", None))


def mfa_token_check(*, user, otp: str | None) -> None:
    """For the API token endpoint: refuse a token to a user who needs a second factor unless
    `otp` is a current code. Raises NotAllowed with a message saying what is missing."""
    if not mfa_required_for(user):
        return
    if not user_has_mfa_device(user):
        raise NotAllowed(
            "A second factor is required for this account: enrol an authenticator in the portal first.",
            code="mfa_enrolment_required",
        )
    if not otp:
        raise NotAllowed(
            "A second factor is required: send the current authenticator code as 'otp'.", code="mfa_required"
        )
    if otp_check(user=user, token=otp) is None:
        raise NotAllowed("The authenticator code is wrong or expired.", code="mfa_invalid")
