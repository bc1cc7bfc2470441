"""Denial and partial-approval letters of a concurrent review print the member's right to
continued coverage while an expedited appeal is pending, where the rule gives it (issue 19,
item 2). Adds the new shipped body as the next version where administrators have not
edited the template; an edited one lacking it holds such letters (required content)."""

from django.db import migrations

KINDS = ("denial", "partial_approval")


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
                note="Shipped default: continued coverage while an expedited appeal is pending (concurrent review).",
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0015_authorization_reminders")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
