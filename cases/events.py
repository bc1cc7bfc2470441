"""Case events: one small function per event type, append-only rows.

The case timeline and the audit read them. Every state change writes one, in the same
transaction as the change.
"""

from .models import AuthorizationRequest, CaseEvent

Kind = CaseEvent.Kind


def _record(
    case: AuthorizationRequest,
    kind: str,
    *,
    actor=None,
    old: str = "",
    new: str = "",
    message: str = "",
    data: dict | None = None,
    provider_visible: bool = True,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        old_value=old,
        new_value=new,
        message=message,
        data=data or {},
        provider_visible=provider_visible,
    )


def event_submitted(*, case, actor, channel: str) -> CaseEvent:
    return _record(
        case, Kind.SUBMITTED, actor=actor, new=case.status, message=f"Received by {channel}.", data={"channel": channel}
    )


def event_status_changed(*, case, actor, old: str, new: str, message: str = "", data=None) -> CaseEvent:
    return _record(case, Kind.STATUS_CHANGED, actor=actor, old=old, new=new, message=message, data=data)


def event_assigned(*, case, actor, old_assignee, new_assignee) -> CaseEvent:
    return _record(
        case,
        Kind.ASSIGNED,
        actor=actor,
        old=old_assignee.username if old_assignee else "",
        new=new_assignee.username if new_assignee else "",
        provider_visible=False,
    )


def event_attachment_added(*, case, actor, attachment) -> CaseEvent:
    return _record(
        case,
        Kind.ATTACHMENT_ADDED,
        actor=actor,
        message=attachment.original_name,
        data={"attachment_id": str(attachment.pk)},
    )


def event_clock_set(*, case, actor, old_due, new_due, reason: str) -> CaseEvent:
    return _record(
        case,
        Kind.CLOCK_SET,
        actor=actor,
        old=old_due.isoformat() if old_due else "",
        new=new_due.isoformat(),
        message=reason,
    )


def event_note_added(*, case, actor, text: str) -> CaseEvent:
    return _record(case, Kind.NOTE_ADDED, actor=actor, message=text, provider_visible=False)


def event_duplicate_flagged(*, case, actor, duplicate_of) -> CaseEvent:
    return _record(
        case,
        Kind.DUPLICATE_FLAGGED,
        actor=actor,
        message=f"Possible duplicate of {duplicate_of.reference}.",
        data={"duplicate_of": str(duplicate_of.pk)},
    )
