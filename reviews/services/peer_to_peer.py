"""Peer-to-peer talks between the UM physician and the treating provider."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases import events
from reviews.models import PeerToPeerAttempt, PeerToPeerRequest
from um_portal import timefmt
from um_portal.exceptions import Conflict, NotFound, ValidationFailed
from um_portal.roles import Perm

from .common import case_for_action

Status = PeerToPeerRequest.Status
OPEN = (Status.REQUESTED, Status.SCHEDULED)


def _talk_for_update(*, peer_to_peer_id, actor) -> PeerToPeerRequest:
    try:
        pk = int(peer_to_peer_id)
    except (TypeError, ValueError):
        raise NotFound("No such peer-to-peer request.") from None
    case_id = PeerToPeerRequest.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("No such peer-to-peer request.")
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.PEER_TO_PEER_CONDUCT)
    talk = PeerToPeerRequest.objects.select_for_update().get(pk=pk)
    talk.case = case
    if talk.status not in OPEN:
        raise Conflict(f"This peer-to-peer talk is already {talk.get_status_display().lower()}.", code="p2p_closed")
    return talk


def peer_to_peer_offer_check(*, actor, case) -> None:
    """A talk is offered on an open case with no talk open yet (409 otherwise). Reads the
    case's prefetched talks where the page has them."""
    if not case.is_open:
        raise Conflict(f"Case {case.reference} is already decided: the provider can request a talk themselves.")
    if any(talk.status in OPEN for talk in case.peer_to_peers.all()):
        raise Conflict("A peer-to-peer talk is already open on this case.", code="p2p_open")


@transaction.atomic
def peer_to_peer_offer(*, case_id, actor, phone: str = "", note: str = "") -> PeerToPeerRequest:
    """Before deciding an open case adversely, the physician offers the treating provider a talk."""
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.PEER_TO_PEER_CONDUCT)
    peer_to_peer_offer_check(actor=actor, case=case)
    phone = (phone or case.requesting_organization.phone or "").strip()
    if not phone:
        raise ValidationFailed("Give the provider's phone number.", errors={"phone": ["This field is required."]})
    talk = PeerToPeerRequest.objects.create(
        case=case,
        requested_by=actor,
        requested_at=timezone.now(),
        phone=phone,
        physician=actor,
        notes=note.strip() or "Offered by the UM physician before deciding.",
    )
    events.event_peer_to_peer_updated(
        case=case, actor=actor, peer_to_peer=talk, message="Peer-to-peer talk offered to the treating provider."
    )
    return talk


@transaction.atomic
def peer_to_peer_schedule(*, peer_to_peer_id, actor, scheduled_for: datetime) -> PeerToPeerRequest:
    talk = _talk_for_update(peer_to_peer_id=peer_to_peer_id, actor=actor)
    if scheduled_for is None or timezone.is_naive(scheduled_for):
        raise ValidationFailed("Give the date and time of the talk.", errors={"scheduled_for": ["Required."]})
    talk.status, talk.physician, talk.scheduled_for = Status.SCHEDULED, actor, scheduled_for
    talk.save(update_fields=["status", "physician", "scheduled_for"])
    events.event_peer_to_peer_updated(
        case=talk.case,
        actor=actor,
        peer_to_peer=talk,
        message=f"Peer-to-peer talk scheduled for {timefmt.when(scheduled_for)}.",
    )
    return talk


@transaction.atomic
def peer_to_peer_attempt_log(*, peer_to_peer_id, actor, result: str, note: str = "") -> PeerToPeerAttempt:
    """One outreach call: reached, voicemail left, or no answer."""
    talk = _talk_for_update(peer_to_peer_id=peer_to_peer_id, actor=actor)
    if result not in PeerToPeerAttempt.Result.values:
        raise ValidationFailed("Say how the call went.", errors={"result": ["Choose a result."]})
    attempt = PeerToPeerAttempt.objects.create(
        peer_to_peer=talk, at=timezone.now(), by=actor, result=result, note=(note or "").strip()
    )
    if talk.physician_id is None:
        talk.physician = actor
        talk.save(update_fields=["physician"])
    events.event_peer_to_peer_updated(
        case=talk.case, actor=actor, peer_to_peer=talk, message=f"Call attempt: {attempt.get_result_display().lower()}."
    )
    return attempt


@transaction.atomic
def peer_to_peer_complete(*, peer_to_peer_id, actor, outcome: str, notes: str = "") -> PeerToPeerRequest:
    """Close the talk with its outcome: decision upheld, changed, or provider not reached."""
    talk = _talk_for_update(peer_to_peer_id=peer_to_peer_id, actor=actor)
    if outcome not in PeerToPeerRequest.Outcome.values:
        raise ValidationFailed("Choose the outcome of the talk.", errors={"outcome": ["Choose an outcome."]})
    if outcome != PeerToPeerRequest.Outcome.NO_CONTACT and not talk.attempts.filter(result="reached").exists():
        raise ValidationFailed(
            "Log the call in which you reached the provider before recording what was decided.",
            errors={"outcome": ["No call reached the provider yet."]},
        )
    talk.status, talk.outcome = Status.COMPLETED, outcome
    talk.physician = talk.physician or actor
    talk.notes = "\n".join(filter(None, [talk.notes, (notes or "").strip()]))
    talk.save(update_fields=["status", "outcome", "physician", "notes"])
    events.event_peer_to_peer_updated(
        case=talk.case,
        actor=actor,
        peer_to_peer=talk,
        message=f"Peer-to-peer completed: {talk.get_outcome_display().lower()}.",
    )
    return talk
