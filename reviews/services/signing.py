"""Signing a decision: the physician re-authenticates at the moment of signing.

With the password, or, where the physician has enrolled an authenticator, with a current
six-digit code instead (the issue: "password, or OTP where enrolled"). The code may come in
`otp` or in the same signing field as the password: a six-digit string can never be a
password here (the numeric-password validator refuses all-digit passwords), so the one
form field and API field serve both. Recovery codes do not sign: they are for getting in,
not for attesting a decision.

Failed signatures are counted per physician in the cache (not the database: the decision's
transaction rolls back on failure) and, like sign-in lockout, SIGNATURE_FAILURE_LIMIT
failures within the lockout window stop signing until it passes, so a session left open
cannot be used to guess the password."""

import logging

from django.conf import settings
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from um_portal.exceptions import NotAllowed, ServiceUnavailable, ValidationFailed
from um_portal.throttling import CACHE_ERRORS
from um_portal.validators import is_ascii_digits

security_log = logging.getLogger("um_portal.security")

SIGNATURE_MESSAGE = "The password or code you entered to sign does not match. The decision was not recorded."
SIGNATURE_FAILURE_LIMIT = 5  # as many as the sign-in lockout allows (settings.AXES_FAILURE_LIMIT default)
UNAVAILABLE_MESSAGE = (
    "Signing is unavailable for a moment: the service that guards signatures is down. "
    "The decision was not recorded; try again in a few minutes."
)
LOCKED_MESSAGE = (
    "Too many failed signature attempts. Signing is paused for {minutes} minutes; "
    "sign out and back in, or ask a UM administrator."
)


def _failures_key(user) -> str:
    return f"signature-failures:{user.pk}"


def _totp_accepts(user, code: str) -> bool:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        if device.verify_token(code):
            return True
    return False


def _counter(operation, *args, **kwargs):
    """One call on the failure counter. The counter lives in Redis: when it does not answer,
    signing fails closed (503) rather than let guesses go uncounted (issue 12, item 4)."""
    try:
        return operation(*args, **kwargs)
    except CACHE_ERRORS as exc:
        security_log.error("signing refused, the signature counter (Redis) is unreachable: %s", type(exc).__name__)
        raise ServiceUnavailable(UNAVAILABLE_MESSAGE, code="signing_unavailable") from None


def signature_verify(*, user, password: str | None, otp: str | None = None) -> None:
    """Raise ValidationFailed (400, code `signature_invalid`) unless `password` is the user's
    password, or `otp` (or a six-digit `password`) is a current code of their authenticator.
    ServiceUnavailable (503, `signing_unavailable`) when failures cannot be counted."""
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if _counter(cache.get, _failures_key(user), 0) >= SIGNATURE_FAILURE_LIMIT:
        raise NotAllowed(LOCKED_MESSAGE.format(minutes=window // 60), code="signature_locked")
    code = (otp or "").strip() or (password or "").strip()
    if (is_ascii_digits(code, length=6) and _totp_accepts(user, code)) or (
        password and not is_ascii_digits(password.strip(), length=6) and user.check_password(password)
    ):
        _counter(cache.delete, _failures_key(user))
        return
    _counter(cache.add, _failures_key(user), 0, timeout=window)
    failures = _counter(cache.incr, _failures_key(user))
    if failures >= SIGNATURE_FAILURE_LIMIT:
        security_log.warning("signing locked after %s failures: user_id=%s", failures, user.pk)
    raise ValidationFailed(SIGNATURE_MESSAGE, code="signature_invalid", errors={"password": [SIGNATURE_MESSAGE]})
