"""Decision deadline extensions (RULES.md section 1): only where a rule allows one, once,
on an allowed ground; the new due time is computed by the rule. The extended event is what
the letters service sends the member notice from."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import events
from cases.access import case_for_user
from cases.deadlines.clocks import case_clock_details, situation_for
from cases.deadlines.services import case_clock_fields_set
from um_portal.exceptions import Conflict, ValidationFailed
from um_portal.roles import Perm

from ..models import Extension


def case_extend_check(*, actor, case) -> None:
    """An open case not extended yet (409 otherwise). Whether a rule allows an extension
    on the ground given is decided with the ground, in `case_extend`."""
    if not case.is_open:
        raise Conflict(f"Case {case.reference} is {case.get_status_display().lower()}; it cannot be extended.")
    try:
        case.extension  # noqa: B018 (select_related on the case page, one query here)
    except ObjectDoesNotExist:
        return
    raise Conflict(f"Case {case.reference} was already extended; a rule allows one extension only.")


@transaction.atomic
def case_extend(*, case_id, actor, ground: str, reason: str) -> Extension:
    """Extend the case's decision deadline once. Refused (409) when no applicable rule
    allows an extension on this ground, when the rule that sets the due time allows none
    (the deadline would not move), or when the case was already extended."""
    case = case_for_user(actor, case_id, need=Perm.CASE_EXTEND, lock=True)
    reason = (reason or "").strip()
    errors = {}
    if ground not in Extension.Ground.values:
        errors["ground"] = [f"Choose one of: {', '.join(Extension.Ground.values)}."]
    if not reason:
        errors["reason"] = ["Say why more time is needed (the member is told)."]
    if errors:
        raise ValidationFailed("The extension is incomplete.", errors=errors)
    case_extend_check(actor=actor, case=case)

    before, _notice, _facts = case_clock_details(case=case, extension_ground="")
    after, _notice, _facts = case_clock_details(case=case, extension_ground=ground)
    binding = before[0]
    extended = {c.rule: c for c in after if c.extended}
    if binding.rule not in extended or after[0].due_at <= before[0].due_at:
        situation = situation_for(review_type=case.review_type, urgency=case.urgency).replace("_", " ")
        raise Conflict(
            f"{binding.name} sets this case's deadline and allows no extension for a {situation} request"
            f" on this ground. {'Send a delay notice instead.' if binding.rule == 'ca_knox_keene' else ''}".strip(),
            code="extension_not_allowed",
        )

    now = timezone.now()
    old_due = case.decision_due_at
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                case=case,
                ground=ground,
                reason=reason,
                rule=binding.rule,
                old_due_at=old_due,
                new_due_at=after[0].due_at,
                granted_by=actor,
                granted_at=now,
            )
    except IntegrityError:
        raise Conflict(f"Case {case.reference} was already extended; a rule allows one extension only.") from None
    fields = case_clock_fields_set(case=case)
    case.save(update_fields=[*fields, "updated_at"])
    events.event_extended(case=case, actor=actor, extension=extension)
    events.event_clock_set(
        case=case, actor=actor, old_due=old_due, new_due=case.decision_due_at, reason="Decision deadline extended."
    )
    return extension
