"""Signing a decision: the physician re-authenticates at the moment of signing.

With the password, or, where the physician has enrolled an authenticator, with a current
six-digit code instead (the issue: "password, or OTP where enrolled"). The code may come in
`otp` or in the same signing field as the password: a six-digit string can never be a
password here (the numeric-password validator refuses all-digit passwords), so the one
form field and API field serve both. Recovery codes do not sign: they are for getting in,
not for attesting a decision."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice

from um_portal.exceptions import ValidationFailed

SIGNATURE_MESSAGE = "The password or code you entered to sign does not match. The decision was not recorded."
_CODE = re.compile(r"^\d{6}$")


def _totp_accepts(user, code: str) -> bool:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        if device.verify_token(code):
            return True
    return False


def signature_verify(*, user, password: str | None, otp: str | None = None) -> None:
    """Raise ValidationFailed (400, code `signature_invalid`) unless `password` is the user's
    password, or `otp` (or a six-digit `password`) is a current code of their authenticator."""
    code = (otp or "").strip() or (password or "").strip()
    if _CODE.match(code) and _totp_accepts(user, code):
        return
    if password and not _CODE.match(password.strip()) and user.check_password(password):
        return
    raise ValidationFailed(SIGNATURE_MESSAGE, code="signature_invalid", errors={"password": [SIGNATURE_MESSAGE]})
