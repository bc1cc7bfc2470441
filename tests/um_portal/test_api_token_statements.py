"""Issue #13: token authentication reads the token, its user, its last use and the user's
groups in one statement, and writes the last use at most once per USE_RECORD_SECONDS,
without loosening expiry (test_api_token_lifetime.py)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.plans import sent_text
from um_portal.api_tokens import USE_RECORD_SECONDS
from um_portal.models import ApiTokenActivity
from um_portal.roles import Role, user_set_role

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
TOKEN_TABLES = ("authtoken_token", "um_portal_apitokenactivity", "auth_group")


def _issue() -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": "provider", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(key: str):
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200, response.content
    sent = [sent_text(q["sql"]) for q in queries]  # an EXECUTE (um_portal.prepared): its prepared text
    token_statements = [sql for sql in sent if any(table in sql for table in TOKEN_TABLES)]
    return response.json(), token_statements


def test_a_recently_used_token_costs_one_statement_with_the_users_role(provider):
    with time_machine.travel(T0, tick=False):
        key = _issue()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        me, statements = _me(key)
    # One SELECT: token, user, last use and groups; no write (used a minute ago), and the
    # role needs no query of its own.
    assert len(statements) == 1 and statements[0].startswith("SELECT"), statements
    assert me["role"] == Role.PROVIDER


def test_the_last_use_is_written_again_after_the_record_interval_only(provider):
    with time_machine.travel(T0, tick=False):
        key = _issue()
    later = T0 + timedelta(seconds=USE_RECORD_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        _me_json, statements = _me(key)
    assert len(statements) == 2 and statements[1].startswith("UPDATE"), statements
    assert ApiTokenActivity.objects.get(token_id=key).last_used_at == later

    with time_machine.travel(later + timedelta(seconds=60), tick=False):
        _me_json, statements = _me(key)
    assert len(statements) == 1
    assert ApiTokenActivity.objects.get(token_id=key).last_used_at == later


def test_a_token_without_an_activity_row_gets_one(provider):
    with time_machine.travel(T0, tick=False):
        key = _issue()
        ApiTokenActivity.objects.filter(token_id=key).delete()
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        _me(key)
    assert ApiTokenActivity.objects.get(token_id=key).last_used_at == T0 + timedelta(days=1)


def test_a_changed_role_counts_from_the_next_request(provider):
    key = _issue()
    assert _me(key)[0]["role"] == Role.PROVIDER

    user_set_role(user=provider, role=Role.NURSE)

    assert _me(key)[0]["role"] == Role.NURSE


def test_the_users_granted_permissions_come_with_the_token(nurse):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    from um_portal.api_tokens import ExpiringTokenAuthentication
    from um_portal.roles import Perm, user_can

    nurse.user_permissions.add(Permission.objects.get(content_type__app_label="reviews", codename="manage_referrals"))
    user, _token = ExpiringTokenAuthentication().authenticate_credentials(Token.objects.create(user=nurse).key)

    with CaptureQueriesContext(connection) as queries:
        assert user_can(user, Perm.REFERRAL_MANAGE)
        assert not user_can(user, Perm.CASE_REASSIGN_BULK)
    assert len(queries) == 0
