from django.apps import AppConfig


class PasConfig(AppConfig):
    """Da Vinci Prior Authorization Support (PAS 2.2.1): the FHIR door onto intake, reviews
    and notifications. A composition layer: it sits above every domain app and nothing below
    imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "pas"
    verbose_name = "Da Vinci PAS (FHIR)"

    def ready(self) -> None:
        from cases import dispatch

        from .subscriptions import NOTIFY_KINDS, decision_notify

        # A decided request notifies its organization's subscribers once the decision commits.
        dispatch.subscribe(name="pas.subscriptions", kinds=NOTIFY_KINDS, handler=decision_notify)
