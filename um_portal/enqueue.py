"""Services enqueue their follow-up tasks by name (STYLE.md, "Celery").

Tasks are thin entry points that call services; a service that imported its task module
would close an import cycle. `task_send` sends by the registered name instead, exactly as
`.delay()` would (same queue, same serializer, a broker error raised the same way), and
refuses a name no task is registered under, so a typo fails loudly at the first call.
"""

from celery import current_app


def task_send(name: str, *args) -> None:
    if name not in current_app.tasks:
        # A web process has not imported every tasks module: discover them as a worker does.
        current_app.loader.import_default_modules()
        if name not in current_app.tasks:
            raise LookupError(f"No Celery task is registered as {name!r}.")
    current_app.send_task(name, args=args)
