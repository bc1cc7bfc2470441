"""The append-only tables, protected by PostgreSQL itself (issue 12, item 5).

The application's own database role must not be able to wipe or rewrite the audit trail:
not by TRUNCATE, not by `ALTER TABLE ... DISABLE TRIGGER`, not by inserting a row with a
time of its choosing. So:

- Two roles (`db_roles` management command, SQL in the README): an **owner** that owns
  the schema and the tables and runs the migrations, and an **app** role the web nodes,
  workers and beat connect as. The app role may SELECT, INSERT, UPDATE and DELETE the
  ordinary tables but only SELECT and INSERT the append-only ones; it owns nothing, so
  it cannot ALTER (disable a trigger on) or TRUNCATE any table.
- Row triggers refuse UPDATE and DELETE on every append-only table, whoever asks.
- A statement trigger refuses TRUNCATE of them to everyone but a database superuser (a
  restore, or the test runner that empties tables between transactional tests): the
  owner role, which the privileges alone would allow, is refused too.
- The access log's time is the database's: `DEFAULT now()`, and an insert trigger that
  replaces any value a client sends, so a row cannot be backdated.

The migrations of each app call `append_only_install` for their own tables, so no app
imports one above it.
"""

import re

# Every table whose model is an AppendOnlyModel (um_portal.models). A test checks this list
# against the models, so a new append-only model cannot be forgotten here.
APPEND_ONLY_TABLES = (
    "um_portal_accesslog",
    "cases_caseevent",
    "automation_ruleevent",
    "automation_goldcardevent",
    "notifications_contactchangelog",
    "reviews_authorizationuse",
    "reviews_authorizationversion",
    "cases_faxevent",
)
# Tables whose row time (column `at`) the database sets: the audit log of PHI reads. Case
# events keep the application's time: the clock rules and letters read them, and tests
# run them at a frozen instant.
DATABASE_TIMED = frozenset({"um_portal_accesslog"})

FUNCTIONS = """
CREATE OR REPLACE FUNCTION um_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION um_refuse_audit_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'Audit table % is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION um_audit_time_now() RETURNS trigger AS $$
BEGIN
    NEW.at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _identifier(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain lower-case SQL identifier.")
    return name


def append_only_install(schema_editor, table: str) -> None:
    """Install the triggers of one append-only table (PostgreSQL only; a migration calls it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _identifier(table)
    schema_editor.execute(FUNCTIONS, params=None)
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION um_refuse_audit_change()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION um_refuse_audit_truncate()",
    ]
    if table in DATABASE_TIMED:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_database_time ON {table}",
            f"CREATE TRIGGER {table}_database_time BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION um_audit_time_now()",
        ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def append_only_uninstall(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _identifier(table)
    for suffix in ("no_truncate", "database_time"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}", params=None)


def roles_sql(*, database: str, owner: str, app: str, owner_password: str = "", app_password: str = "") -> list:
    """The statements that create (or bring up to date) the owner and app roles, make the
    owner own the schema and every table, and grant the app role what it may do. Safe to
    run again after every `migrate` (it is how new tables get their grants). Returns
    psycopg2 `sql.Composed` statements; run them as a superuser (or a role with
    CREATEROLE that may alter the tables' current owner)."""
    from psycopg2 import sql

    owner_id, app_id, db_id = (
        sql.Identifier(_identifier(owner)),
        sql.Identifier(_identifier(app)),
        sql.Identifier(database),
    )
    statements = []
    for role, password in ((owner, owner_password), (app, app_password)):
        role_id = sql.Identifier(role)
        statements.append(
            sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$"
            ).format(name=sql.Literal(role), role=role_id)
        )
        if password:
            statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role_id, sql.Literal(password)))
    statements += [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}").format(db_id, owner_id, app_id),
        sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app_id),
        # Every existing table, sequence and function of the schema to the owner.
        sql.SQL(
            "DO $$ DECLARE r record; BEGIN "
            "FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP "
            "EXECUTE format('ALTER TABLE %s OWNER TO %I', r.name, {owner}); END LOOP; "
            "FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' LOOP "
            "EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.name, {owner}); END LOOP; END $$"
        ).format(owner=sql.Literal(owner)),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(app_id),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(app_id),
        sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}").format(app_id),
        # Tables the owner creates later (next release's migrations) get the same grants.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(owner_id, app_id),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ).format(owner_id, app_id),
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(
            sql.SQL(
                "DO $$ BEGIN IF to_regclass({name}) IS NOT NULL THEN "
                "EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', {name}, {app}); END IF; END $$"
            ).format(name=sql.Literal(table), app=sql.Literal(app))
        )
    return statements
