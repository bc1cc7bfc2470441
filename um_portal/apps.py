from django.apps import AppConfig


class UmPortalConfig(AppConfig):
    name = "um_portal"
    verbose_name = "UM Portal: users, roles and audit"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401 - registers the deploy checks
        from .compiled import compiled_forget
        from .lockout import on_user_logged_in
        from .roles import roles_sync

        post_migrate.connect(roles_sync, sender=self)
        # The schema may have moved: compile again (um_portal.compiled).
        post_migrate.connect(lambda **kwargs: compiled_forget(), dispatch_uid="um_portal.compiled_forget", weak=False)
        user_logged_in.connect(on_user_logged_in, dispatch_uid="um_portal.login_failures_reset")
