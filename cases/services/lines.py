"""Changing the service lines of an open request: the requester adds lines, changes a
line's code, units or dates, or cancels lines before a decision (a Da Vinci PAS update; any
door may call it). One transaction: the case locked, the lines written, an event per
change, and the clocks recomputed (the clock engine reads the lines' dates)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from um_portal.exceptions import Conflict, ValidationFailed
from um_portal.roles import Perm

from .. import events
from ..access import case_for_user
from ..models import ServiceLine
from .intake import _check_dates, _clean_codes, _Errors
from .workflow import case_lock


def case_lines_change_check(*, actor, case) -> None:
    """Lines change only while the request is open (409 otherwise)."""
    if not case.is_open:
        raise Conflict(
            f"Case {case.reference} is {case.get_status_display().lower()}: its lines can no longer change; "
            "send a new request."
        )


@transaction.atomic
def case_lines_change(
    *,
    case_id,
    user,
    add: list[dict] = (),
    change: dict[int, dict] | None = None,
    cancel: list[int] = (),
    reason: str,
):
    """Add lines (dicts as intake takes them), change lines ({line_number: new values}) and
    cancel lines (line numbers) on an open case. Returns {"added": [line numbers], ...}."""
    case_for_user(user, case_id, need=Perm.CASE_SUBMIT)  # 404 for strangers, 403 for the wrong role
    case = case_lock(case_id=case_id)
    case_lines_change_check(actor=user, case=case)
    change = change or {}
    lines = {line.line_number: line for line in case.lines.select_for_update().order_by("pk")}
    errors = _Errors()
    for number in [*change, *cancel]:
        if number not in lines or lines[number].cancelled_at is not None:
            errors.add("lines", f"Line {number} is not an open line of case {case.reference}.")
    new_lines = list(add) + list(change.values())
    _check_dates(errors, lines=new_lines, today=timezone.localdate())
    errors.raise_if_any("The change cannot be made.")
    _, clean = _clean_codes([], new_lines, diagnosis_required=False) if new_lines else ([], [])
    clean_add, clean_change = clean[: len(add)], dict(zip(change, clean[len(add) :], strict=True))
    if not clean_add and not clean_change and not cancel:
        raise ValidationFailed("Nothing to change.", errors={"lines": ["Add, change or cancel at least one line."]})
    if len(cancel) >= len([n for n, line in lines.items() if line.cancelled_at is None]) and not clean_add:
        raise ValidationFailed(
            "Cancelling every line cancels the request: withdraw it instead.",
            errors={"lines": ["At least one line must stay open."]},
        )
    now = timezone.now()
    done = {"added": [], "changed": [], "cancelled": []}
    for number in cancel:
        line = lines[number]
        line.cancelled_at = now
        line.save(update_fields=["cancelled_at"])
        done["cancelled"].append(number)
    for number, values in clean_change.items():
        line = lines[number]
        for name in ("code_system", "code", "units", "start_date", "end_date"):
            setattr(line, name, values[name])
        line.save(update_fields=["code_system", "code", "units", "start_date", "end_date"])
        done["changed"].append(number)
    next_number = (case.lines.aggregate(n=Max("line_number"))["n"] or 0) + 1
    for offset, values in enumerate(clean_add):
        ServiceLine.objects.create(
            case=case,
            line_number=next_number + offset,
            code_system=values["code_system"],
            code=values["code"],
            description=values.get("description", ""),
            units=int(values["units"]),
            start_date=values["start_date"],
            end_date=values["end_date"],
        )
        done["added"].append(next_number + offset)
    events.event_lines_changed(case=case, actor=user, changes=done, reason=reason)
    _clocks_refresh(case=case, reason="Service lines changed by the requester.")
    return done


def _clocks_refresh(*, case, reason: str) -> None:
    from cases.deadlines.services import case_clock_fields_set

    old_due = case.decision_due_at
    fields = case_clock_fields_set(case=case)
    case.save(update_fields=[*fields, "updated_at"])
    if case.decision_due_at != old_due:
        events.event_clock_set(case=case, actor=None, old_due=old_due, new_due=case.decision_due_at, reason=reason)
