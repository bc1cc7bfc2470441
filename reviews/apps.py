from django.apps import AppConfig


def reason_catalogue_ensure(sender, apps=None, using="default", **kwargs) -> None:
    """Put the shipped reason-code catalogue back when its table is empty after a migrate or a
    flush (a transactional test flushes every table, data migrations included). Only fills an
    empty catalogue, never touches one an administrator has."""
    import importlib

    from django.apps import apps as global_apps
    from django.db import connections

    apps = apps or global_apps
    try:
        apps.get_model("reviews", "ReasonCode")
    except LookupError:
        return  # migrated back before the catalogue existed
    if "reviews_reasoncode" not in connections[using].introspection.table_names():
        return
    shipped = importlib.import_module("reviews.migrations.0009_reason_codes_shipped")
    shipped.ship(apps, None)


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(reason_catalogue_ensure, sender=self)
        # An out-of-network referral goes to the referral management queue as it is
        # received (issue 20); the intake never imports this app.
        from cases.intake_hooks import intake_hook_register

        from .referral_directory import is_referral
        from .services.referrals import referral_intake_hook

        intake_hook_register(referral_intake_hook, applies=is_referral)
