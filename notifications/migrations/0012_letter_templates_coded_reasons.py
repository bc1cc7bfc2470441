"""Denial, partial-approval and appeal-decision letters print the coded reason's member text
and, for denials and partial approvals, the unmet criteria and missing documentation from
the reviewers' worksheet (issue 16), which the required-content check looks for. Adds the
new shipped body as the next version where the administrators have not edited the template."""

from django.db import migrations

KINDS = ("denial", "partial_approval", "appeal_decision")


def ship(apps, schema_editor):
    from notifications.letters.defaults import TITLES, default_body

    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    for kind in KINDS:
        latest = LetterTemplate.objects.filter(kind=kind).order_by("-version").first()
        body = default_body(kind)
        if latest is None or (latest.created_by_id is None and latest.body != body):
            LetterTemplate.objects.create(
                kind=kind,
                version=(latest.version + 1) if latest else 1,
                title=TITLES[kind],
                body=body,
                note="Shipped default: coded reason, unmet criteria and missing documentation.",
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0011_append_only_truncate_guard")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
