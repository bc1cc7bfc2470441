# The access log's user and member foreign keys lose their single-column indexes: the
# (user, at) and (member, at) indexes serve every lookup by either, and each index is
# written for every row read (issue #13). Only the indexes are dropped: AlterField would
# drop and re-add the foreign-key constraints, re-checking every row of the log.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "um_portal_accesslog_member_id_8bdefb44": "member_id",
    "um_portal_accesslog_user_id_786ea868": "user_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_referral_review_closed_label"),
        ("um_portal", "0009_accesslog_object_kind_stay"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="member",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The member whose information was read, for the accounting of disclosures.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "um_portal_accesslog" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]
