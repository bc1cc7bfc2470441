"""Append-only audit tables, enforced by PostgreSQL itself.

The ORM already refuses updates and deletes (AppendOnlyModel); these triggers refuse them
for any SQL the application's database role runs, raw SQL and the admin included. SQLite
(laptop demo) has no such triggers: the migration does nothing there.

TRUNCATE is not row-level and is left to the database's privileges (the test runner
empties tables with it between transactional tests).
"""

from django.db import migrations

TABLES = ("um_portal_accesslog", "cases_caseevent")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION um_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
CREATE_TRIGGER = """
CREATE TRIGGER {table}_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION um_refuse_audit_change();
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS um_refuse_audit_change();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table), params=None)
        schema_editor.execute(CREATE_TRIGGER.format(table=table), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table), params=None)
    schema_editor.execute(DROP_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("um_portal", "0001_initial"),
        ("cases", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
