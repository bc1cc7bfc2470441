"""API tokens (DRF's authtoken, one per user): issued, used, expired and revoked here.

- A token expires after API_TOKEN_IDLE_DAYS without use (default 30): the next call with it
  gets 401 `token_expired` and the token is deleted; the system asks for a new one.
- The user revokes their own token (`DELETE /api/v1/auth/token/`, or the "API token" page);
  an administrator revokes any user's (admin, Users, action "Revoke API tokens").
- A new password revokes every token of the user. Signing out of the web session does
  not: a provider system's token is not the person's browser session (issue 12).

Use is recorded at most once per USE_RECORD_SECONDS per token, so a busy integration does
not write a row per request; idleness is measured in days, so minutes do not matter.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from .models import ApiTokenActivity

security_log = logging.getLogger("um_portal.security")

USE_RECORD_SECONDS = 300


def _idle_limit() -> timedelta:
    return timedelta(days=settings.API_TOKEN_IDLE_DAYS)


def api_token_last_used(token: Token):
    try:
        activity = token.activity
    except ApiTokenActivity.DoesNotExist:
        activity = None
    return activity.last_used_at if activity is not None else token.created


def api_token_is_expired(token: Token, *, now=None) -> bool:
    return (now or timezone.now()) - api_token_last_used(token) > _idle_limit()


@transaction.atomic
def api_token_issue(*, user) -> Token:
    """The user's token, a new one if they had none or theirs had expired from idleness."""
    now = timezone.now()
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and api_token_is_expired(token, now=now):
        token.delete()
    # get_or_create: two first requests at once both answer, with the one token.
    token, created = Token.objects.get_or_create(user=user)
    if created:
        security_log.info("api token issued: user_id=%s", user.pk)
    ApiTokenActivity.objects.update_or_create(token=token, defaults={"last_used_at": now})
    return token


def api_token_revoke(*, user, by=None) -> int:
    """Delete the user's API tokens; returns how many. `by` is who asked (the user, an
    administrator, a password change)."""
    _, per_model = Token.objects.filter(user=user).delete()
    deleted = per_model.get(Token._meta.label, 0)  # not counting the activity rows
    if deleted:
        security_log.warning("api token revoked: user_id=%s by user_id=%s", user.pk, getattr(by, "pk", None))
    return deleted


def api_token_use(token: Token) -> None:
    """Record a use, at most once per USE_RECORD_SECONDS (a conditional update)."""
    now = timezone.now()
    updated = ApiTokenActivity.objects.filter(
        token=token, last_used_at__lt=now - timedelta(seconds=USE_RECORD_SECONDS)
    ).update(last_used_at=now)
    if not updated:
        ApiTokenActivity.objects.get_or_create(token=token, defaults={"last_used_at": now})


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token idle too long."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user", "activity").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.", code="account_inactive")
        if api_token_is_expired(token):
            token.delete()
            days = settings.API_TOKEN_IDLE_DAYS
            raise exceptions.AuthenticationFailed(
                f"This token expired after {days} days without use. Ask for a new one at /api/v1/auth/token/.",
                code="token_expired",
            )
        api_token_use(token)
        return (token.user, token)
