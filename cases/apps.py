from django.apps import AppConfig


def turnaround_rules_ensure(sender, apps=None, using="default", **kwargs) -> None:
    """Put the shipped turnaround rules back when the rules table is empty after a migrate
    or a flush (a transactional test flushes every table, data migrations included).
    Never touches rules an administrator has: it only fills an empty table."""
    from django.apps import apps as global_apps
    from django.db import connections

    from .deadlines.shipped import ship

    apps = apps or global_apps
    try:
        rule_model = apps.get_model("cases", "TurnaroundRule")
    except LookupError:
        return  # migrated back before the rules moved here
    if rule_model._meta.db_table not in connections[using].introspection.table_names():
        return
    if rule_model.objects.using(using).exists():
        return
    ship(apps)


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .access import case_permission_ids_forget

        post_migrate.connect(turnaround_rules_ensure, sender=self)
        # Permission rows get new ids after a flush (transactional tests): forget cached ids.
        post_migrate.connect(case_permission_ids_forget, dispatch_uid="case_permission_ids_forget")
