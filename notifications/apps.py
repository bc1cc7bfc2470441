from django.apps import AppConfig


def contact_lines_ensure(sender, apps=None, using="default", **kwargs) -> None:
    """Put the shipped phone lines back when the lines table is empty after a migrate or a
    flush (a transactional test flushes every table, data migrations included). Never
    touches a configuration an administrator has: it only fills an empty table."""
    import importlib

    from django.apps import apps as global_apps
    from django.db import connections

    apps = apps or global_apps
    try:
        apps.get_model("notifications", "ContactLinePhone")
    except LookupError:
        return  # migrated back before the lines existed
    if "notifications_contactline" not in connections[using].introspection.table_names():
        return
    shipped = importlib.import_module("notifications.migrations.0004_contact_lines_shipped")
    shipped.ship(apps, None)


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .subscribers import subscribe

        post_migrate.connect(contact_lines_ensure, sender=self)
        subscribe()  # react to case events through cases.dispatch, on commit
        # Gold-card letters: one per gold-card event, written once the event is committed.
        from automation.services.goldcard import gold_card_event_subscribe

        from .tasks import gold_card_letter_enqueue

        gold_card_event_subscribe(gold_card_letter_enqueue)
