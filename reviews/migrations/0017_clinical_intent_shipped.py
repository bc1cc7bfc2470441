"""The shipped clinical-intent mapping (reviews.referral_intent_data)."""

from django.db import migrations


def ship(apps, schema_editor):
    from reviews.referral_intent_data import ship as ship_rules

    ship_rules(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0016_referral_management")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
