"""The request-for-information letter prints the fax number it asks records to be sent to,
from the phone-line configuration (issue 22, item 8). Adds the new shipped body as the next
version where the administrators have not edited the template."""

from django.db import migrations

KINDS = ("request_for_information",)


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
                note="Shipped default: the fax number for the records.",
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0013_provider_notices")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
