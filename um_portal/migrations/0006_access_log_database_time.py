"""The access log's time is the database's, and TRUNCATE of it is refused (issue 12, item 5;
um_portal/audit/database.py)."""

from django.db.models.functions import Now
from django.db import migrations, models

from um_portal.audit.database import append_only_install, append_only_uninstall

TABLES = ('um_portal_accesslog',)


def forwards(apps, schema_editor):
    for table in TABLES:
        append_only_install(schema_editor, table)


def backwards(apps, schema_editor):
    for table in TABLES:
        append_only_uninstall(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [('um_portal', '0005_mfa_enrolment_link')]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="at",
            field=models.DateTimeField(db_default=Now(), db_index=True, editable=False),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
