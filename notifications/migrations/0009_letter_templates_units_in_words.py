"""Approval and partial-approval letters print approved units in words ("3 of 6 units"), which
the required-content check looks for. Adds the new shipped body as the next version where the
administrators have not edited the template yet."""

from django.db import migrations

KINDS = ("approval", "partial_approval")


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
                note="Shipped default: approved units in words.",
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0008_notification_information_notice_kind")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
