from django.apps import AppConfig


class UmPortalConfig(AppConfig):
    name = "um_portal"
    verbose_name = "UM Portal: users, roles and audit"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401 - registers the deploy checks
        from .roles import roles_sync

        post_migrate.connect(roles_sync, sender=self)
