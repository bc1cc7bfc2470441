"""Mark the decisions that auto-approval rules made before `Decision.automated` existed."""

from django.db import migrations


def forwards(apps, schema_editor):
    Decision = apps.get_model("reviews", "Decision")
    RuleEvaluation = apps.get_model("automation", "RuleEvaluation")
    decided = RuleEvaluation.objects.filter(decision__isnull=False).values("decision_id")
    Decision.objects.filter(pk__in=decided).update(automated=True)


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
        ("reviews", "0007_decision_automated"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
