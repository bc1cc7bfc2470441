"""The single-column indexes Django gives these foreign keys, dropped: composite indexes
that start with the same column serve every lookup by it (issue #13: each index is written
on every submit). Only the indexes go; the foreign-key constraints stay as they are (an
AlterField would drop and re-add them, checking every row of the table again under lock)."""

import django.db.models.deletion
from django.db import migrations, models

# (model, field): their own index, not the constraint.
FIELDS = [
    ("authorizationrequest", "member"),
    ("authorizationrequest", "requesting_organization"),
    ("authorizationrequest", "servicing_organization"),
    ("caseevent", "case"),
    ("serviceline", "case"),
]


def _own_indexes(schema_editor, model, column: str) -> list[str]:
    """The names of the plain, single-column indexes on `column` (not unique, not a key)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        name
        for name, info in found.items()
        if info["index"] and info["columns"] == [column] and not info["unique"] and not info["primary_key"]
        and not info.get("foreign_key")
    ]  # fmt: skip


def drop(apps, schema_editor):
    for model_name, field_name in FIELDS:
        model = apps.get_model("cases", model_name)
        for name in _own_indexes(schema_editor, model, model._meta.get_field(field_name).column):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    for model_name, field_name in FIELDS:
        model = apps.get_model("cases", model_name)
        field = model._meta.get_field(field_name)
        if not _own_indexes(schema_editor, model, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_referral_review_closed_label"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, create)],
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
