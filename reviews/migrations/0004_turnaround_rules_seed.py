"""Ship the turnaround rules of RULES.md section 1 (defaults an administrator may version).

The list lives in cases/deadlines/shipped.py since the rules moved down to cases (see
cases/migrations/0006_deadlines_from_reviews.py); here they are still reviews' models.
"""

from django.db import migrations

from cases.deadlines.shipped import rules_ship


def seed(apps, schema_editor):
    rules_ship(apps.get_model("reviews", "TurnaroundRule"), apps.get_model("reviews", "TurnaroundPeriod"))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_turnaround_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
