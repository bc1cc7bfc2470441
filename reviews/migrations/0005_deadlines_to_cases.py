"""The turnaround rules and plan closures now belong to cases (its migration 0006 takes
them over with their tables): drop them from reviews' state only, never the tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_deadlines_from_reviews'),
        ('reviews', '0004_turnaround_rules_seed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='PlanClosure'),
                migrations.DeleteModel(name='TurnaroundPeriod'),
                migrations.DeleteModel(name='TurnaroundRule'),
            ],
        ),
    ]
