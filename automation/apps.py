from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = "Auto-approval and gold carding"

    def ready(self) -> None:
        # The intake (cases) never imports this app: it runs the hooks registered here,
        # inside the submit transaction.
        from cases.intake_hooks import intake_hook_register

        from .services.evaluate import intake_evaluate

        intake_hook_register(intake_evaluate)
