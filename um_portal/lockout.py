"""What a locked-out login attempt gets (django-axes AXES_LOCKOUT_CALLABLE): the login page
with a plain message on the web (429), API.md's error shape and 401 on the API."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts: this account or your network address is locked for {minutes} minutes. "
    "Try again later, or ask a UM administrator to unlock it."
)


def lockout_message() -> str:
    return LOCKED_MESSAGE.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message()
    if request.path.startswith("/api/"):
        # API.md: a locked-out account gets 401 with a clear detail.
        response = JsonResponse({"detail": message, "code": "account_locked", "errors": {}}, status=401)
        response["WWW-Authenticate"] = "Token"
        return response
    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "locked_out": message}, status=429)


def login_failures_reset(*, username: str) -> int:
    """After a successful sign-in (page, admin or API token): forget that username's failed
    attempts, from every address, and nothing else. Other usernames' failures from the same
    address keep counting toward their own lockout and the address's (issue 12, item 1)."""
    from axes.models import AccessAttempt

    deleted, _ = AccessAttempt.objects.filter(username=username).delete()
    return deleted


def on_user_logged_in(sender, request, user, **kwargs):
    if settings.AXES_ENABLED:
        login_failures_reset(username=user.get_username())
