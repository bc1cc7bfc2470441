"""Second factor (TOTP, django-otp) for staff, and for provider users who enrol or whose
organization requires it.

- `mfa_required_for(user)`: must this user prove a second factor (pages and API tokens)?
- `totp_device_start` / `totp_device_confirm`: enrolment with a QR code.
- `recovery_codes_generate`: one-time codes (django-otp static device), shown once.
- `otp_check(user=, token=)`: the device that accepts a code (TOTP or recovery), or None.
- `mfa_token_check(user=, otp=)`: the rule for the API token endpoint and re-authentication.
- `mfa_sign_in_check(user=)`: where a second factor is required, an account without one
  cannot sign in; it enrols through a one-time link an administrator issues
  (`mfa_enrolment_link_issue`, `mfa_enrolment_link_open`), never from the password alone
  (issue 12, item 3). DEMO_MODE keeps enrolment from the password for the seeded logins.

Codes are throttled by django-otp itself (each failure doubles the wait on that device).
"""

import base64
import hashlib
import io
import logging
import secrets
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .exceptions import NotAllowed, NotFound
from .models import MFAEnrolmentLink
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


ENROLMENT_LINK_NEEDED = (
    "This account needs two-step verification and has no authenticator yet. Enrol with the "
    "one-time enrolment link a UM administrator sends you (ask one for it if you have none)."
)
LINK_INVALID = (
    "This enrolment link cannot be used: it was already used, replaced by a newer one, or it "
    "expired. Ask a UM administrator for a new link."
)


def mfa_enrolment_link_needed(user) -> bool:
    """Whether `user` must have a second factor, has none, and so may neither sign in nor
    enrol from the password alone (only through an enrolment link)."""
    return not settings.DEMO_MODE and mfa_required_for(user) and not user_has_mfa_device(user)


def mfa_sign_in_check(*, user) -> None:
    """Refuse a sign-in (page, admin, API token) to an account that needs an enrolment link."""
    if mfa_enrolment_link_needed(user):
        raise NotAllowed(ENROLMENT_LINK_NEEDED, code="mfa_enrolment_required")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def mfa_enrolment_link_issue(*, user, by=None) -> tuple[MFAEnrolmentLink, str]:
    """A new one-time enrolment link for `user` (older open links stop working). Returns the
    row and the secret for the URL, which is shown or sent once and never stored."""
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        MFAEnrolmentLink.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
        link = MFAEnrolmentLink.objects.create(
            user=user,
            token_hash=_token_hash(token),
            issued_by=by,
            issued_at=now,
            expires_at=now + timedelta(hours=settings.MFA_ENROLMENT_LINK_HOURS),
        )
    security_log.warning("mfa enrolment link issued: user_id=%s by user_id=%s", user.pk, getattr(by, "pk", None))
    return link, token


def mfa_enrolment_url(token: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse("mfa_enrol", args=[token])


def mfa_enrolment_link_send(*, user, by=None) -> tuple[MFAEnrolmentLink, str, bool]:
    """Issue a link and e-mail it to the user when they have an address. Returns the link,
    its URL, and whether it was e-mailed (if not, the administrator hands it over)."""
    link, token = mfa_enrolment_link_issue(user=user, by=by)
    url = mfa_enrolment_url(token)
    if not user.email:
        return link, url, False
    send_mail(
        subject="Set up two-step verification for the UM Portal",
        message=(
            f"A UM administrator asked you to set up two-step verification for your UM Portal account.\n\n"
            f"Open this link, enter your password and scan the code with an authenticator app:\n{url}\n\n"
            f"The link works once, until {timezone.localtime(link.expires_at):%Y-%m-%d %H:%M %Z}. "
            "If you did not expect it, tell the UM Operations Center."
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return link, url, True


def mfa_enrolment_link_open(*, token: str, lock: bool = False) -> MFAEnrolmentLink:
    """The usable link for `token` (not used, not replaced, not expired), or NotFound."""
    rows = MFAEnrolmentLink.objects.select_related("user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(token_hash=_token_hash(token or "")).first()
    if (
        link is None
        or link.used_at is not None
        or link.revoked_at is not None
        or link.expires_at <= timezone.now()
        or not link.user.is_active
    ):
        raise NotFound(LINK_INVALID, code="enrolment_link_invalid")
    return link


def totp_device_start(*, user, enrolment_token: str | None = None) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created once so the QR code stays
    the same across reloads of the enrolment page.

    An account that needs an enrolment link gets one only with a usable link's token, and
    then a fresh device: a pending secret shown to anyone before is never confirmed."""
    if enrolment_token is not None:
        link = mfa_enrolment_link_open(token=enrolment_token)
        if link.user_id != user.pk:
            raise NotFound(LINK_INVALID, code="enrolment_link_invalid")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    if mfa_enrolment_link_needed(user):
        raise NotAllowed(ENROLMENT_LINK_NEEDED, code="mfa_enrolment_required")
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


def totp_device_confirm(
    *, user, device: TOTPDevice, token: str, enrolment_token: str | None = None
) -> list[str] | None:
    """Confirm the pending device if `token` is right: the user's other authenticators are
    replaced, and fresh recovery codes are returned (to show once). None if the code is wrong.

    An account that needs an enrolment link confirms only with a usable link's token, which
    is spent in the same transaction (one link, one authenticator)."""
    with transaction.atomic():
        link = None
        if enrolment_token is not None:
            link = mfa_enrolment_link_open(token=enrolment_token, lock=True)
            if link.user_id != user.pk:
                raise NotFound(LINK_INVALID, code="enrolment_link_invalid")
        elif mfa_enrolment_link_needed(user):
            raise NotAllowed(ENROLMENT_LINK_NEEDED, code="mfa_enrolment_required")
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(token):
            return None
        if link is not None:
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
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
    Where a second factor is required the user then needs a new enrolment link."""
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
            ENROLMENT_LINK_NEEDED
            if mfa_enrolment_link_needed(user)
            else "A second factor is required for this account: enrol an authenticator in the portal first.",
            code="mfa_enrolment_required",
        )
    if not otp:
        raise NotAllowed(
            "A second factor is required: send the current authenticator code as 'otp'.", code="mfa_required"
        )
    if otp_check(user=user, token=otp) is None:
        raise NotAllowed("The authenticator code is wrong or expired.", code="mfa_invalid")
