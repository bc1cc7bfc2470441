"""The UM supervisor capability (issue 22, item 5): the `cases.reassign_cases` permission and
a "UM supervisor" group holding it. Administrators put a nurse or physician in the group."""

from django.db import migrations

GROUP = "UM supervisor"  # um_portal.roles.SUPERVISOR_GROUP
NAME = "Can reassign cases in bulk and see reviewers' open load (UM supervisor)"


def supervisor_group_create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are otherwise created after migrate (post_migrate); make this one now.
    content_type, _ = ContentType.objects.get_or_create(app_label="cases", model="authorizationrequest")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="reassign_cases", defaults={"name": NAME}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def supervisor_group_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_fax_events_resends_alerts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="authorizationrequest",
            options={
                "ordering": ["decision_due_at", "id"],
                "permissions": [
                    ("act_on_authorizationrequest", "Can act on this case as its provider"),
                    ("reassign_cases", NAME),
                ],
            },
        ),
        migrations.RunPython(supervisor_group_create, supervisor_group_delete),
    ]
