"""Ships the synthetic length-of-stay norms (cases.stays_norms); a plan replaces them."""

from django.db import migrations


def ship(apps, schema_editor):
    from cases.stays_norms import ship as ship_norms

    ship_norms(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_stays_concurrent_review")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
