"""Case events: one small function per event type, append-only rows.

The case timeline and the audit read them. Every state change writes one, in the same
transaction as the change, and hands it to `cases.dispatch` for the apps above to react to
once the transaction commits.
"""

from .dispatch import event_dispatch
from .models import AuthorizationRequest, CaseEvent

Kind = CaseEvent.Kind


def _row(
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
    return CaseEvent(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        old_value=old,
        new_value=new,
        message=message,
        data=data or {},
        provider_visible=provider_visible,
    )


def _record(case: AuthorizationRequest, kind: str, **fields) -> CaseEvent:
    event = _row(case, kind, **fields)
    event.save()
    events_written(case=case, rows=[event])
    return event


def events_written(*, case, rows: list[CaseEvent]) -> None:
    """After rows were saved (one by one or in bulk): hand each to the apps above, which
    react after commit (notice letters, for one: cases.dispatch), and keep them on the case
    object when the intake follows them (`new_events`), so its answer needs no re-read."""
    followed = getattr(case, "new_events", None)
    for event in rows:
        event_dispatch(event_id=event.pk, kind=event.kind)
        if followed is not None:
            followed.append(event)


def receipt_rows(*, case, actor, channel: str) -> list[CaseEvent]:
    """The events of a new case, unsaved (the intake writes them with the case in one
    statement, then calls `events_written`): received, its due time set, and flagged as a
    possible duplicate when it is one (`case.likely_duplicate_of`)."""
    rows = [
        _row(case, Kind.SUBMITTED, actor=actor, new=case.status, message=f"Received by {channel}.",
             data={"channel": channel}),
        _row(case, Kind.CLOCK_SET, actor=None, new=case.decision_due_at.isoformat(),
             message="Decision due time set on receipt."),
    ]  # fmt: skip
    if case.likely_duplicate_of_id is not None:
        rows.append(_row(case, Kind.DUPLICATE_FLAGGED, actor=actor, **_duplicate_fields(case.likely_duplicate_of)))
    return rows


def _duplicate_fields(duplicate_of) -> dict:
    return {
        "message": f"Possible duplicate of {duplicate_of.reference}.",
        "data": {"duplicate_of": str(duplicate_of.pk)},
    }


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


def event_lines_changed(*, case, actor, changes: dict, reason: str) -> CaseEvent:
    parts = [
        f"{what} line{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"
        for what, numbers in (
            ("added", changes["added"]),
            ("changed", changes["changed"]),
            ("cancelled", changes["cancelled"]),
        )
        if numbers
    ]
    message = f"Service lines {'; '.join(parts)}. {reason}".strip()
    return _record(case, Kind.LINES_CHANGED, actor=actor, message=message, data=changes)


def units_used_rows(*, case, actor, uses: list[dict]) -> list[CaseEvent]:
    """One unsaved event per recorded use (the caller bulk-writes them, then calls
    `events_written`): {"use_id", "authorization", "line", "units", "service_date"}."""
    return [
        _row(
            case,
            Kind.UNITS_USED,
            actor=actor,
            new=str(use["units"]),
            message=(
                f"{use['units']} unit{'s' if use['units'] != 1 else ''} used on line {use['line']} of "
                f"authorization {use['authorization']} on {use['service_date']}."
            ),
            data=use,
            provider_visible=True,
        )
        for use in uses
    ]


def event_change_requested(*, case, actor, change, summary: str) -> CaseEvent:
    """On the authorization's case and on the change request itself (each timeline)."""
    return _record(
        case,
        Kind.CHANGE_REQUESTED,
        actor=actor,
        new=change.change_kind,
        message=summary,
        data={"change_case_id": str(change.pk), "change_reference": change.reference, "kind": change.change_kind},
    )


def event_authorization_changed(*, case, actor, version) -> CaseEvent:
    """The authorization moved to a new version (a change decided, or lines cancelled)."""
    return _record(
        case,
        Kind.AUTHORIZATION_CHANGED,
        actor=actor,
        old=str(version.number - 1),
        new=str(version.number),
        message=version.summary,
        data={"version_id": version.pk, "kind": version.kind},
    )


def event_routed_to_physician(*, case, actor, note: str) -> CaseEvent:
    return _record(case, Kind.ROUTED_TO_PHYSICIAN, actor=actor, message=note, provider_visible=False)


def event_information_requested(*, case, actor, pend) -> CaseEvent:
    return _record(
        case,
        Kind.INFORMATION_REQUESTED,
        actor=actor,
        message=pend.requested_information,
        data={"pend_id": pend.pk, "respond_by": pend.respond_by.isoformat()},
    )


def event_information_received(*, case, actor, pend) -> CaseEvent:
    return _record(case, Kind.INFORMATION_RECEIVED, actor=actor, message=pend.response_text, data={"pend_id": pend.pk})


def event_decision_recorded(*, case, actor, decision, extra: dict | None = None) -> CaseEvent:
    """Letters are generated from this event (one per case, kind, recipient and event).
    `extra` adds facts the letters read (an out-of-network approval, issue 20)."""
    return _record(
        case,
        Kind.DECISION_RECORDED,
        actor=actor,
        new=decision.outcome,
        message=decision.reason,
        data={"decision_id": decision.pk, "outcome": decision.outcome, "basis": decision.basis, **(extra or {})},
    )


def event_extended(*, case, actor, extension) -> CaseEvent:
    return _record(
        case,
        Kind.EXTENDED,
        actor=actor,
        old=extension.old_due_at.isoformat(),
        new=extension.new_due_at.isoformat(),
        message=extension.reason,
        data={"extension_id": extension.pk, "rule": extension.rule},
    )


def event_withdrawn(*, case, actor, reason: str) -> CaseEvent:
    return _record(case, Kind.WITHDRAWN, actor=actor, message=reason)


def event_criteria_requested(*, case, actor, request) -> CaseEvent:
    return _record(case, Kind.CRITERIA_REQUESTED, actor=actor, data={"criteria_request_id": request.pk})


def event_peer_to_peer_requested(*, case, actor, peer_to_peer) -> CaseEvent:
    return _record(
        case,
        Kind.PEER_TO_PEER_REQUESTED,
        actor=actor,
        data={"peer_to_peer_id": peer_to_peer.pk, "preferred_times": peer_to_peer.preferred_times},
    )


def event_peer_to_peer_updated(*, case, actor, peer_to_peer, message: str) -> CaseEvent:
    return _record(
        case,
        Kind.PEER_TO_PEER_UPDATED,
        actor=actor,
        new=peer_to_peer.status,
        message=message,
        data={"peer_to_peer_id": peer_to_peer.pk},
    )


def event_appeal_filed(*, case, actor, appeal) -> CaseEvent:
    return _record(case, Kind.APPEAL_FILED, actor=actor, message=appeal.reason, data={"appeal_id": appeal.pk})


def event_appeal_decided(*, case, actor, appeal) -> CaseEvent:
    """Letters are generated from this event."""
    return _record(
        case,
        Kind.APPEAL_DECIDED,
        actor=actor,
        new=appeal.outcome,
        message=appeal.outcome_reason,
        data={"appeal_id": appeal.pk, "outcome": appeal.outcome},
    )


def event_alert_raised(*, case, threshold: str, message: str) -> CaseEvent:
    return _record(case, Kind.ALERT_RAISED, new=threshold, message=message, provider_visible=False)


def event_letter_issued(*, case, letter) -> CaseEvent:
    return _record(
        case,
        Kind.LETTER_ISSUED,
        new=letter.kind,
        message=f"{letter.get_kind_display()} letter to the {letter.get_recipient_display().lower()}.",
        data={"letter_id": str(letter.pk)},
    )


def event_letter_blocked(*, case, kind: str, missing: list[str]) -> CaseEvent:
    return _record(
        case,
        Kind.LETTER_BLOCKED,
        new=kind,
        message="Letter held: missing " + ", ".join(missing) + ".",
        data={"missing": missing},
        provider_visible=False,
    )


# Inpatient stays (issue 19, item 2): written on the stay's admission case, so its timeline
# shows the stay's life; internal to the plan except the opening and the discharge.
def event_stay_opened(*, case, actor, stay) -> CaseEvent:
    return _record(
        case,
        Kind.STAY_OPENED,
        actor=actor,
        new=str(stay.authorized_days),
        message=f"Stay opened: {stay.authorized_days} days authorized through {stay.authorized_through:%Y-%m-%d}, "
        f"next review {stay.next_review_on:%Y-%m-%d}.",
        data={"stay_id": stay.pk},
    )


def event_stay_review_requested(*, case, actor, stay, review) -> CaseEvent:
    return _record(
        case,
        Kind.STAY_REVIEW_REQUESTED,
        actor=actor,
        new=str(review.days_requested),
        message=f"{review.days_requested} more days requested: concurrent review {review.case.reference}.",
        data={"stay_id": stay.pk, "review_id": review.pk, "review_case_id": str(review.case_id)},
        provider_visible=False,
    )


def event_stay_days_approved(*, case, actor, stay, old_days: int, old_review_on, review) -> CaseEvent:
    return _record(
        case,
        Kind.STAY_DAYS_APPROVED,
        actor=actor,
        old=str(old_days),
        new=str(stay.authorized_days),
        message=f"{stay.authorized_days - old_days} more days approved ({review.case.reference}): "
        f"{stay.authorized_days} days through {stay.authorized_through:%Y-%m-%d}, "
        f"next review {stay.next_review_on:%Y-%m-%d} (was {old_review_on:%Y-%m-%d})."
        if old_review_on
        else f"{stay.authorized_days - old_days} more days approved ({review.case.reference}).",
        data={"stay_id": stay.pk, "review_id": review.pk, "next_review_on": stay.next_review_on.isoformat()},
    )


def event_stay_review_closed(*, case, actor, stay, review, outcome: str) -> CaseEvent:
    return _record(
        case,
        Kind.STAY_REVIEW_CLOSED,
        actor=actor,
        new=outcome,
        message=f"Request for {review.days_requested} more days ({review.case.reference}): {outcome}.",
        data={"stay_id": stay.pk, "review_id": review.pk},
        provider_visible=False,
    )


def event_stay_note_added(*, case, actor, stay, text: str) -> CaseEvent:
    return _record(
        case, Kind.STAY_NOTE_ADDED, actor=actor, message=text, data={"stay_id": stay.pk}, provider_visible=False
    )


def event_stay_discharged(*, case, actor, stay) -> CaseEvent:
    return _record(
        case,
        Kind.STAY_DISCHARGED,
        actor=actor,
        new=stay.discharge_disposition,
        message=f"Discharged {stay.get_discharge_disposition_display().lower()}.",
        data={"stay_id": stay.pk, "discharged_at": stay.discharged_at.isoformat()},
    )


# Referral management (issue 20): the review of an out-of-network referral and the
# in-network redirection proposed to the referring office.


def event_referral_review_opened(*, case, actor, review) -> CaseEvent:
    flags = len(review.intent_flags or [])
    message = "Out-of-network servicing provider: in the referral management queue."
    if flags:
        message += f" Clinical-intent check: {flags} question{'s' if flags > 1 else ''} for the nurse."
    return _record(
        case, Kind.REFERRAL_REVIEW_OPENED, actor=actor, new=review.network_status, message=message,
        data={"referral_review_id": review.pk}, provider_visible=False,
    )  # fmt: skip


def event_redirection_offered(*, case, actor, offer) -> CaseEvent:
    return _record(
        case, Kind.REDIRECTION_OFFERED, actor=actor, new=offer.option_name[:60],
        message=f"Proposed: {offer.option_name}. {offer.message}".strip(), data={"redirection_id": offer.pk},
    )  # fmt: skip


def event_redirection_accepted(*, case, actor, offer) -> CaseEvent:
    """The member's letter (the new servicing provider) is generated from this event."""
    return _record(
        case, Kind.REDIRECTION_ACCEPTED, actor=actor, old=offer.previous_servicing_name[:60],
        new=offer.option_name[:60], message=f"Servicing provider changed to {offer.option_name}.",
        data={"redirection_id": offer.pk, "previous_servicing_organization_id": offer.previous_organization_id,
              "previous_servicing_practitioner_id": offer.previous_practitioner_id},
    )  # fmt: skip


def event_redirection_declined(*, case, actor, offer) -> CaseEvent:
    return _record(
        case, Kind.REDIRECTION_DECLINED, actor=actor, new=offer.decline_reason,
        message=f"{offer.get_decline_reason_display()}. {offer.response_note}".strip(),
        data={"redirection_id": offer.pk, "reason": offer.decline_reason},
    )  # fmt: skip


def event_out_of_network_approved(*, case, actor, review) -> CaseEvent:
    return _record(
        case, Kind.OUT_OF_NETWORK_APPROVED, actor=actor, new=review.approval_reason,
        message=f"{review.get_approval_reason_display()}. {review.approval_note}".strip(),
        data={"referral_review_id": review.pk, "reason": review.approval_reason},
    )  # fmt: skip


def event_referral_review_closed(
    *, case, actor, review, old_status: str, decision=None, outcome: str = ""
) -> CaseEvent:
    """The referral left the unit's queue without the unit's own decision: the case was
    decided by the ordinary approve, deny or partial approval (`decision`), or ended
    otherwise (`outcome`: withdrawn by the requester, a cancellation)."""
    if decision is not None:
        outcome = decision.outcome
        words = decision.get_outcome_display().lower()
        data = {"referral_review_id": review.pk, "decision_id": decision.pk, "outcome": outcome}
    else:
        words = outcome.replace("_", " ")
        data = {"referral_review_id": review.pk, "outcome": outcome}
    return _record(
        case, Kind.REFERRAL_REVIEW_CLOSED, actor=actor, old=old_status, new=review.status,
        message=f"Referral management review closed: {words}.", data=data, provider_visible=False,
    )  # fmt: skip


def event_stay_days_extended(*, case, stay, old_days: int, reason: str) -> CaseEvent:
    """Days added without a review of their own (continuation of care): no actor."""
    return _record(
        case,
        Kind.STAY_DAYS_APPROVED,
        old=str(old_days),
        new=str(stay.authorized_days),
        message=f"Covered through {stay.authorized_through:%Y-%m-%d} by {reason}: {stay.authorized_days} days.",
        data={"stay_id": stay.pk, "reason": reason},
    )
