"""Rule and gold-card events: append-only in the database too (UPDATE, DELETE and TRUNCATE
refused; issue 12, item 5; um_portal/audit/database.py)."""

from django.db import migrations

from um_portal.audit.database import append_only_install, append_only_uninstall

TABLES = ('automation_ruleevent', 'automation_goldcardevent')


def forwards(apps, schema_editor):
    for table in TABLES:
        append_only_install(schema_editor, table)


def backwards(apps, schema_editor):
    for table in TABLES:
        append_only_uninstall(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [('automation', '0002_decisions_automated_backfill'), ('um_portal', '0006_access_log_database_time')]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
