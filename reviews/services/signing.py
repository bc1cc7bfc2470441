"""Signing a decision: the physician re-enters the password.

One function, so a second factor (OTP) can be added here later without touching callers."""

from um_portal.exceptions import ValidationFailed

SIGNATURE_MESSAGE = "The password you entered to sign does not match. The decision was not recorded."


def signature_verify(*, user, password: str | None) -> None:
    """Raise ValidationFailed (400, code `signature_invalid`) unless `password` is the user's."""
    if not password or not user.check_password(password):
        raise ValidationFailed(SIGNATURE_MESSAGE, code="signature_invalid", errors={"password": [SIGNATURE_MESSAGE]})
