"""The single-column indexes Django gives these foreign keys, dropped: composite indexes
that start with the same column serve every lookup by it (issue #13: each index is written
on every submit). Only the indexes go, as in um_portal 0010: AlterField would drop and
re-add the foreign-key constraints, checking every row of the table again under lock."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names for them (the same on PostgreSQL and SQLite): {index: (table, column)}.
INDEXES = {
    "cases_authorizationrequest_member_id_73e190d7": ("cases_authorizationrequest", "member_id"),
    "cases_authorizationrequest_requesting_organization_id_5313ee71": (
        "cases_authorizationrequest",
        "requesting_organization_id",
    ),
    "cases_authorizationrequest_servicing_organization_id_77a214f7": (
        "cases_authorizationrequest",
        "servicing_organization_id",
    ),
    "cases_caseevent_case_id_6c6031ac": ("cases_caseevent", "case_id"),
    "cases_serviceline_case_id_7f499706": ("cases_serviceline", "case_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_referral_review_closed_label"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="authorizationrequest",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="cases.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="authorizationrequest",
                    name="requesting_organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requested_cases",
                        to="cases.providerorganization",
                    ),
                ),
                migrations.AlterField(
                    model_name="authorizationrequest",
                    name="servicing_organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="serviced_cases",
                        to="cases.providerorganization",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="cases.authorizationrequest",
                    ),
                ),
                migrations.AlterField(
                    model_name="serviceline",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="cases.authorizationrequest",
                    ),
                ),
            ],
        ),
    ]
