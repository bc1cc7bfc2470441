"""Case events: TRUNCATE refused too (issue 12, item 5; um_portal/audit/database.py)."""

from django.db import migrations

from um_portal.audit.database import append_only_install, append_only_uninstall

TABLES = ("cases_caseevent",)


def forwards(apps, schema_editor):
    for table in TABLES:
        append_only_install(schema_editor, table)


def backwards(apps, schema_editor):
    for table in TABLES:
        append_only_uninstall(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_attachment_active_content"), ("um_portal", "0006_access_log_database_time")]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
