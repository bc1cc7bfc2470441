"""Hooks run at the end of the intake, inside the submit transaction, after the case, its
lines and its documents are written. Higher apps register at start (their AppConfig.ready):
the intake never imports them (the auto-approval rules register here).

A hook failing must never lose or delay the request: each runs in its own savepoint, and
an error is logged and leaves the case in the queue for a person."""

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)

_hooks: dict[Callable, Callable | None] = {}


def intake_hook_register(hook: Callable, *, applies: Callable | None = None) -> None:
    """`hook(case=..., context=...)`; registering twice is harmless. `applies(case)`, if
    given, says without a query whether the hook has anything to do: a hook that does not
    apply is not run, and costs no savepoint (issue #13: a submit is at most 15 statements,
    pinned by tests/cases/test_api_submit_statements.py)."""
    _hooks.setdefault(hook, applies)


def intake_hooks_run(*, case, context: dict) -> None:
    for hook, applies in list(_hooks.items()):
        if applies is not None and not applies(case):
            continue
        try:
            with transaction.atomic():
                hook(case=case, context=context)
        except Exception:
            log.exception("Intake hook %s failed on case %s; the case stays in the queue.", hook.__name__, case.pk)
