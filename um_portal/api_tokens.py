"""API tokens (DRF's authtoken, one per user): issued, used, expired and revoked here.

- A token expires after API_TOKEN_IDLE_DAYS without use (default 30): the next call with it
  gets 401 `token_expired` and the token is deleted; the system asks for a new one.
- The user revokes their own token (`DELETE /api/v1/auth/token/`, or the "API token" page);
  an administrator revokes any user's (admin, Users, action "Revoke API tokens").
- A new password revokes every token of the user. Signing out of the web session does
  not: a provider system's token is not the person's browser session (issue 12).

Use is recorded at most once per USE_RECORD_SECONDS per token, so a busy integration does
not write a row per request; idleness is measured in days, so minutes do not matter. A
request reads the token, its user, its last use and the user's groups in one statement,
and writes nothing more when the last use is recent (issue #13: it was four statements).
"""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from . import prepared
from .models import ApiTokenActivity
from .user_rows import RowParts, role_columns, role_remember

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


def api_token_use(token: Token, *, now=None) -> None:
    """Record a use, at most once per USE_RECORD_SECONDS (a conditional update). A token
    read with its activity (as authentication reads it) recorded within that time costs
    no statement at all: the common case of a busy integration."""
    now = now or timezone.now()
    since = now - timedelta(seconds=USE_RECORD_SECONDS)
    activity = _loaded_activity(token)
    if activity is not None and activity.last_used_at >= since:
        return
    updated = ApiTokenActivity.objects.filter(token=token, last_used_at__lt=since).update(last_used_at=now)
    if not updated and activity is None:
        ApiTokenActivity.objects.get_or_create(token=token, defaults={"last_used_at": now})


def _loaded_activity(token: Token):
    """The token's activity row if it was read with the token (None if it has none, or was
    not read: then the conditional update decides)."""
    if not Token.activity.is_cached(token):
        return None
    try:
        return token.activity
    except ApiTokenActivity.DoesNotExist:
        return None


def _token_with_user_and_groups(key: str) -> Token:
    """The token, its user, its activity, the user's groups (ids and names) and granted
    permissions in one statement: a token-authenticated request reads nothing else before
    its view. The groups and permissions are kept on the user object
    (um_portal.user_rows.role_remember), as `user_role` and `user_has_permission` would
    keep them. Raises Token.DoesNotExist."""
    if connection.vendor != "postgresql":
        # SQLite (`make run` without PostgreSQL): user_role reads the groups when asked.
        return Token.objects.select_related("user", "activity").get(key=key)
    statement = _token_statement()
    with connection.cursor() as cursor:
        prepared.execute(cursor, statement.sql, [key])
        row = cursor.fetchone()
    if row is None:
        raise Token.DoesNotExist
    return statement.build(row)


class _TokenStatement:
    """The SQL of `_token_with_user_and_groups`, written once per process from the models'
    own tables and columns, and how to make the objects of its row. Django compiling the
    same query (select_related with two array subqueries) cost about 1.2 ms of CPU per API
    request (cProfile, issue #13); this costs none."""

    def __init__(self):
        qn = connection.ops.quote_name
        user_model = get_user_model()
        self.row = RowParts(("t", Token), ("u", user_model), ("a", ApiTokenActivity))
        columns = self.row.columns + role_columns(f"t.{qn(Token._meta.get_field('user').column)}")
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {qn(Token._meta.db_table)} t "  # noqa: S608 - names are the models'; the key is a parameter
            f"JOIN {qn(user_model._meta.db_table)} u "
            f"ON u.{qn(user_model._meta.pk.column)} = t.{qn(Token._meta.get_field('user').column)} "
            f"LEFT JOIN {qn(ApiTokenActivity._meta.db_table)} a "
            f"ON a.{qn(ApiTokenActivity._meta.get_field('token').column)} = t.{qn(Token._meta.pk.column)} "
            f"WHERE t.{qn(Token._meta.pk.column)} = %s"
        )

    def build(self, row) -> Token:
        (token, user, activity), offset = self.row.objects(row)
        Token._meta.get_field("user").set_cached_value(token, user)
        Token.activity.related.set_cached_value(token, activity)  # None: no row, `token.activity` raises
        role_remember(user, row, offset)
        return token


@functools.cache
def _token_statement() -> _TokenStatement:
    return _TokenStatement()


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token idle too long."""

    def authenticate_credentials(self, key):
        try:
            token = _token_with_user_and_groups(key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.", code="account_inactive")
        now = timezone.now()
        if api_token_is_expired(token, now=now):
            token.delete()
            days = settings.API_TOKEN_IDLE_DAYS
            raise exceptions.AuthenticationFailed(
                f"This token expired after {days} days without use. Ask for a new one at /api/v1/auth/token/.",
                code="token_expired",
            )
        api_token_use(token, now=now)
        return (token.user, token)
