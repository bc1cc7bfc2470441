"""Units used are append-only in the database too (issue 19): row triggers refuse UPDATE
and DELETE, a statement trigger TRUNCATE (um_portal/audit/database.py), like the other
append-only tables; the db_roles command grants the app role SELECT and INSERT only."""

from django.db import migrations

from um_portal.audit.database import append_only_install, append_only_uninstall

TABLES = ("reviews_authorizationuse",)


def forwards(apps, schema_editor):
    for table in TABLES:
        append_only_install(schema_editor, table)


def backwards(apps, schema_editor):
    for table in TABLES:
        append_only_uninstall(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0013_authorizations"), ("um_portal", "0006_access_log_database_time")]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
