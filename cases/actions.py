"""One declaration per action on a case, read by every door.

A `CaseAction` says who may try (the role permission, checked before any input is read:
404 for a stranger, 403 for the role), which service runs it with what input (the API's
serializer, the page's form), what the page says on success, and who sees its button:
`allowed(user, case)` asks the role permission and then the same guard the service calls
under its row lock (`<service>_check(actor=, case=)`), so a button is shown exactly when
the service would not refuse the state of the case.

The doors are generic and thin: `cases.api.action_views` (API), `action_page` below (pages
that answer with a message and go back), `reviews.views.case` (the review page, which
shows a refused form again). Declarations: `reviews.actions`, `reviews.provider_actions`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from um_portal.exceptions import DomainError
from um_portal.roles import Perm, user_can

from .access import case_for_user


def case_for_role(user, case_id, *, need: Perm):
    """The usual refusal before input: 404 stranger, 403 role (see `cases.access`)."""
    return case_for_user(user, case_id, need=need)


@dataclass(frozen=True)
class CaseAction:
    name: str
    perm: Perm
    # run(actor, case, data) -> result: calls the action's one service with the input.
    run: Callable[[Any, Any, dict], Any]
    # The service's own guard on the case's state: check(actor=, case=) raises a DomainError.
    check: Callable[..., None] | None = None
    # The page's message on success: a sentence, or message(result, case).
    success: str | Callable[[Any, Any], str] = ""
    form: type | None = None
    api_input: type | None = None
    # Refusal before input, precheck(user, case_id, need=perm) -> case.
    precheck: Callable[..., Any] = case_for_role
    # A page whose input differs from the API's (files uploaded with the answer).
    page_run: Callable[[Any, Any, dict], Any] | None = None
    # API: answer status and body (None: the updated case), schema text, idempotency.
    api_status: int = 200
    api_body: Callable[[Any, Any, Any], Any] | None = None
    api_response: Any = None
    api_summary: str = ""
    api_description: str = ""
    api_errors: tuple[int, ...] = ()
    api_content_type: str = ""  # e.g. multipart/form-data for an upload
    idempotent: bool = False

    def allowed(self, user, case) -> bool:
        """Whether `user` sees this action's button on `case`: the role, then the service's guard."""
        if not user_can(user, self.perm):
            return False
        if self.check is None:
            return True
        try:
            self.check(actor=user, case=case)
        except DomainError:
            return False
        return True

    def message(self, result, case) -> str:
        return self.success(result, case) if callable(self.success) else self.success


def service_call(service, *names: str, by_id: bool = True, versioned: bool = False, **renamed: str):
    """The usual `run`: call `service` with the named inputs (`renamed`: argument=input).
    Reviewer services take `case_id=`/`actor=` (and the version the reviewer saw), provider
    services `case=`/`user=` (`by_id=False`)."""

    def run(actor, case, data):
        kwargs = {name: data.get(name) for name in names}
        kwargs.update({argument: data.get(source) for argument, source in renamed.items()})
        if versioned:
            kwargs["expected_version"] = data.get("version")
        who = {"case_id": case.pk, "actor": actor} if by_id else {"case": case, "user": actor}
        return service(**who, **kwargs)

    return run


REGISTRY: dict[str, CaseAction] = {}


def action_register(*actions: CaseAction) -> dict[str, CaseAction]:
    """Add declarations to the registry (names are unique across the apps)."""
    for action in actions:
        if REGISTRY.get(action.name, action) is not action:
            raise ValueError(f"Two case actions are named {action.name!r}.")
        REGISTRY[action.name] = action
    return {action.name: action for action in actions}


def actions_allowed(user, case, actions: dict[str, CaseAction]) -> dict[str, bool]:
    """The button list of a page: {name: shown}."""
    return {name: action.allowed(user, case) for name, action in actions.items()}


def action_input(form) -> dict:
    """A page form's input in the shape of the API's: the form may reshape it."""
    reshape = getattr(form, "action_input", None)
    return reshape() if reshape is not None else dict(form.cleaned_data)


def refusal_text(error: DomainError) -> str:
    details = [m for messages_ in error.errors.values() for m in messages_]
    return error.message + (" " + " ".join(details) if details and details[0] not in error.message else "")


def form_errors_text(form) -> str:
    problems = [
        f"{form.fields[f].label or f}: {m}" if f in form.fields else m for f, ms in form.errors.items() for m in ms
    ]
    return "Please correct: " + " ".join(problems)


def action_page(actions: dict[str, CaseAction], back: str):
    """The page door for actions that answer with a message and go back to the page `back`
    (a URL name taking case_id): role refused before the form (403/404 pages), a bad form or
    a refusal of the service as an error message, success as the declared message."""

    @login_required
    @require_POST
    def view(request, case_id, name: str):
        action = actions[name]
        case = action.precheck(request.user, case_id, need=action.perm)
        data = {}
        if action.form is not None:
            form = action.form(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, form_errors_text(form))
                return redirect(back, case_id=case.pk)
            data = action_input(form)
        try:
            result = (action.page_run or action.run)(request.user, case, data)
        except DomainError as error:
            messages.error(request, refusal_text(error))
            return redirect(back, case_id=case.pk)
        messages.success(request, action.message(result, case))
        return redirect(back, case_id=case.pk)

    view.case_actions = actions  # what the door serves (the registry test walks the URLs)
    return view
