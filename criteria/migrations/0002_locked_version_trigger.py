"""A criteria version used in a decision is frozen, enforced by PostgreSQL itself.

The model, the service and the admin already refuse; this trigger also refuses queryset
updates, raw SQL and deletes. Only the first lock (locked_at from NULL) passes. SQLite
(laptop demo) has no trigger: the migration does nothing there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION criteria_refuse_locked_change() RETURNS trigger AS $$
BEGIN
    IF OLD.locked_at IS NULL THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Criteria version % was used in a decision and is frozen: % refused; make a new version',
        OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS criteria_version_frozen ON criteria_criteriaversion;
CREATE TRIGGER criteria_version_frozen
BEFORE UPDATE OR DELETE ON criteria_criteriaversion
FOR EACH ROW EXECUTE FUNCTION criteria_refuse_locked_change();
"""
DROP = """
DROP TRIGGER IF EXISTS criteria_version_frozen ON criteria_criteriaversion;
DROP FUNCTION IF EXISTS criteria_refuse_locked_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
