"""The application's database role cannot wipe, rewrite or backdate the audit trail
(issue 12, item 5). The test creates the owner and app roles with `db_roles` on the test
database, connects as each, and attacks the append-only tables the way the application's
own role could before: TRUNCATE, ALTER TABLE ... DISABLE TRIGGER, UPDATE, DELETE, and an
INSERT with a time of its choosing."""

import os
import uuid

import psycopg2
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from um_portal.audit.database import APPEND_ONLY_TABLES
from um_portal.models import AppendOnlyModel

pytestmark = [pytest.mark.postgres]


def test_every_append_only_model_is_protected_in_the_database():
    tables = {m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel)}
    assert tables == set(APPEND_ONLY_TABLES)


@pytest.fixture(scope="module")
def roles(django_db_setup, django_db_blocker):
    """Owner and app roles (names unique to this run: roles are server-wide) on the test
    database, created once for the module, then dropped and everything handed back to the
    test's role. Rows the roles commit are removed with TRUNCATE, which the test's
    superuser alone may do."""
    suffix = uuid.uuid4().hex[:8]
    owner, app, password = f"um_test_owner_{suffix}", f"um_test_app_{suffix}", uuid.uuid4().hex
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    admin = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"
    saved = {name: os.environ.get(name) for name in ("DB_OWNER_PASSWORD", "DB_APP_PASSWORD")}
    os.environ.update(DB_OWNER_PASSWORD=password, DB_APP_PASSWORD=password)
    opened = []

    def as_role(role):
        conn = psycopg2.connect(dbname=db["NAME"], user=role, password=password, host=host, port=port)
        conn.autocommit = True
        opened.append(conn)
        return conn.cursor()

    with django_db_blocker.unblock():
        try:
            call_command("db_roles", admin_url=admin, owner=owner, app=app)
            yield {"owner": lambda: as_role(owner), "app": lambda: as_role(app)}
        finally:
            for conn in opened:
                conn.close()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE um_portal_accesslog")
                for role in (owner, app):
                    cursor.execute(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
                    cursor.execute(f'DROP OWNED BY "{role}"')
                    cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
            # Closed here: in a whole run this finalizer's connection was left open (the last
            # statement it ran was the DROP ROLE above), and the test database could not be
            # dropped at the end ("being accessed by other users"). Reopened when next used.
            connection.close()


def _refused(cursor, statement, params=None):
    with pytest.raises(psycopg2.Error) as caught:
        cursor.execute(statement, params)
    return str(caught.value)


def _log_row(cursor) -> int:
    cursor.execute(
        "INSERT INTO um_portal_accesslog (object_kind, object_id, how, path) VALUES ('case', 'x', 'page', '') "
        "RETURNING id"
    )
    return cursor.fetchone()[0]


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_cannot_truncate_an_append_only_table(roles, table):
    app = roles["app"]()

    message = _refused(app, f"TRUNCATE {table}")

    assert "permission denied" in message


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_cannot_disable_the_triggers(roles, table):
    app = roles["app"]()

    for statement in (f"ALTER TABLE {table} DISABLE TRIGGER ALL", f"ALTER TABLE {table} DISABLE TRIGGER USER"):
        assert "must be owner" in _refused(app, statement)
    assert "must be owner" in _refused(app, f"DROP TRIGGER {table}_append_only ON {table}")


def test_the_app_role_cannot_backdate_an_access_log_row(roles):
    app = roles["app"]()

    app.execute(
        "INSERT INTO um_portal_accesslog (at, object_kind, object_id, how, path) "
        "VALUES ('2001-01-01T00:00:00Z', 'case', 'backdated', 'page', '') RETURNING at, now()"
    )

    at, now = app.fetchone()
    assert at == now  # the database's time, not the one sent


def test_the_app_role_may_insert_and_read_but_not_update_or_delete_the_log(roles):
    app = roles["app"]()
    row = _log_row(app)

    app.execute("SELECT object_id FROM um_portal_accesslog WHERE id = %s", [row])
    assert app.fetchone() == ("x",)
    assert "permission denied" in _refused(app, "UPDATE um_portal_accesslog SET object_id = 'y' WHERE id = %s", [row])
    assert "permission denied" in _refused(app, "DELETE FROM um_portal_accesslog WHERE id = %s", [row])


def test_the_app_role_still_works_the_ordinary_tables(roles):
    app = roles["app"]()

    app.execute("UPDATE cases_member SET first_name = first_name WHERE false")
    app.execute("SELECT count(*) FROM cases_authorizationrequest")
    assert app.fetchone()[0] >= 0


def test_even_the_owner_role_cannot_truncate_or_rewrite_the_log(roles):
    owner = roles["owner"]()
    row = _log_row(owner)

    assert "TRUNCATE refused" in _refused(owner, "TRUNCATE um_portal_accesslog")
    assert "append-only" in _refused(owner, "UPDATE um_portal_accesslog SET object_id = 'y' WHERE id = %s", [row])
    assert "append-only" in _refused(owner, "DELETE FROM um_portal_accesslog WHERE id = %s", [row])
