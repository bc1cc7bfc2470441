"""The turnaround rules and plan closures move from reviews down to cases (issue 11:
intake sets the clocks in the submit transaction, and cases may not import reviews).

State only: the tables keep their names (`reviews_turnaroundrule`, `reviews_turnaroundperiod`,
`reviews_planclosure`) and their rows; reviews/migrations/0005 drops the models from reviews'
state. The content types move with them, so permissions and admin history stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["turnaroundrule", "turnaroundperiod", "planclosure"]


def _content_types_move(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "reviews", "cases")


def content_types_backward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "cases", "reviews")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_case_alert_next_keyset_index'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reviews', '0004_turnaround_rules_seed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='PlanClosure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField()),
                        ('name', models.CharField(max_length=120)),
                        ('closed_from', models.TimeField(blank=True, null=True)),
                        ('counts_as_holiday', models.BooleanField(default=True, help_text='A whole-day closure is a non-business day for the decision clocks.')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'reviews_planclosure',
                        'ordering': ['date'],
                        'constraints': [models.UniqueConstraint(fields=('date', 'name'), name='closure_date_name_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='TurnaroundRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(help_text='Rule id, e.g. cms_ma, ncqa, ca_knox_keene.', max_length=30)),
                        ('name', models.CharField(max_length=120)),
                        ('source', models.CharField(blank=True, max_length=200)),
                        ('lines_of_business', models.JSONField(blank=True, default=list, help_text='Lines of business it applies to; empty: all.')),
                        ('state', models.CharField(blank=True, help_text="Member's state it applies to; empty: any.", max_length=2)),
                        ('effective_from', models.DateField()),
                        ('effective_to', models.DateField(blank=True, null=True)),
                        ('restarts_on_information', models.BooleanField(default=False, help_text='The clock runs from receipt of the information reasonably necessary.')),
                        ('information_notice_days', models.PositiveSmallIntegerField(blank=True, help_text='Calendar days from receipt to tell the provider what is missing.', null=True)),
                        ('extension_amount', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('extension_unit', models.CharField(blank=True, choices=[('hours', 'hours'), ('calendar_days', 'calendar days'), ('business_days', 'business days')], max_length=20)),
                        ('extension_grounds', models.JSONField(blank=True, default=list)),
                        ('extension_for_expedited', models.BooleanField(default=True)),
                        ('notes', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'reviews_turnaroundrule',
                        'ordering': ['code', '-effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('code', 'effective_from'), name='turnaround_rule_version_unique'), models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gte', models.F('effective_from')), _connector='OR'), name='turnaround_rule_end_after_start'), models.CheckConstraint(condition=models.Q(('extension_amount__isnull', True), models.Q(('extension_unit', ''), _negated=True), _connector='OR'), name='turnaround_rule_extension_has_unit')],
                    },
                ),
                migrations.CreateModel(
                    name='TurnaroundPeriod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('situation', models.CharField(choices=[('expedited_pre_service', 'Expedited pre-service'), ('standard_pre_service', 'Standard pre-service'), ('concurrent', 'Concurrent (urgent)'), ('post_service', 'Post-service')], max_length=30)),
                        ('line_of_business', models.CharField(blank=True, max_length=30)),
                        ('condition', models.CharField(blank=True, choices=[('', 'Always'), ('behavioral_emergency_inpatient', 'Emergency inpatient mental health / SUD')], max_length=40)),
                        ('amount', models.PositiveSmallIntegerField()),
                        ('unit', models.CharField(choices=[('hours', 'hours'), ('calendar_days', 'calendar days'), ('business_days', 'business days')], max_length=20)),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='periods', to='cases.turnaroundrule')),
                    ],
                    options={
                        'db_table': 'reviews_turnaroundperiod',
                        'ordering': ['rule', 'situation', 'line_of_business', 'condition'],
                        'constraints': [models.UniqueConstraint(fields=('rule', 'situation', 'line_of_business', 'condition'), name='turnaround_period_unique'), models.CheckConstraint(condition=models.Q(('amount__gte', 1)), name='turnaround_period_positive')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
