"""Referral management (issue 20, item 3): an out-of-network referral goes to the Referral
Management Unit's queue with its in-network alternatives and the clinical-intent check;
the unit's nurse approves it as requested (out of network, with the reason: continuity of
care, distance, availability) or proposes an in-network redirection to the referring
office, which accepts (the servicing provider changes) or declines with a reason.

Every step locks the case, then the review row, checks the state, writes the change and
its event in one transaction: two people on one referral, one wins, the other gets 409.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import events
from cases.access import case_for_user
from cases.models import AuthorizationRequest
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed
from um_portal.roles import Perm

from .. import referral_directory as directory
from ..models_referrals import APPROVAL_REASONS, OutOfNetworkReason, RedirectionOffer, ReferralReview
from ..referral_intent import case_intent_flags
from .common import case_for_action, require_open
from .decisions import _lines_resolve, decision_record
from .servicing import servicing_provider_change

Status = ReferralReview.Status
NOTE_MAX = 2000
QUEUE_ALTERNATIVES = 3  # the queue row lists the nearest few; the case page lists more


def _text(value, field: str, message: str, *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationFailed(message, errors={field: ["Give text."]})
    if required and not text:
        raise ValidationFailed(message, errors={field: ["This field is required."]})
    if len(text) > NOTE_MAX:
        raise ValidationFailed(f"Keep it under {NOTE_MAX} characters.", errors={field: ["Too long."]})
    return text


def _reason(value, field: str, allowed) -> str:
    if value not in {str(r) for r in allowed}:
        words = ", ".join(OutOfNetworkReason(r).label.lower() for r in allowed)
        raise ValidationFailed(f"Choose the reason: {words}.", errors={field: [f"Choose one of: {words}."]})
    return value


def referral_review_open(*, case: AuthorizationRequest, actor=None) -> ReferralReview | None:
    """Put an open out-of-network referral in the unit's queue, with its clinical-intent
    flags (once per case). In-network referrals and other requests pass by: None."""
    if not directory.is_referral(case) or not case.is_open:
        return None
    network = directory.case_network_status(case)
    if network != directory.OUT_OF_NETWORK:
        return None
    specialty, specialty_name = directory.case_specialty(case)
    flags = [f.as_dict() for f in case_intent_flags(case, specialty=specialty, specialty_name=specialty_name)]
    alternatives = [
        {"name": o.name, "network": o.network,
         "distance_miles": None if o.distance_miles is None else float(o.distance_miles)}
        for o in directory.case_alternatives(case, limit=QUEUE_ALTERNATIVES)
    ]  # fmt: skip
    try:
        with transaction.atomic():
            review = ReferralReview.objects.create(
                case=case, network_status=network, specialty=specialty, specialty_name=specialty_name,
                intent_flags=flags, alternatives=alternatives, due_at=case.decision_due_at, opened_at=timezone.now(),
            )  # fmt: skip
    except IntegrityError:  # already in the queue
        return ReferralReview.objects.get(case=case)
    events.event_referral_review_opened(case=case, actor=actor, review=review)
    return review


def referral_intake_hook(*, case, context) -> None:
    """Registered with the intake (`cases.intake_hooks`, ReviewsConfig.ready)."""
    referral_review_open(case=case, actor=case.submitted_by)


def _review_locked(case: AuthorizationRequest) -> ReferralReview:
    review = ReferralReview.objects.select_for_update().filter(case=case).first()
    if review is None:
        raise Conflict(f"{case.reference} is not in the referral management queue.", code="not_referral_review")
    return review


def _review_move(review: ReferralReview, to: str, **fields) -> None:
    if to not in ReferralReview.TRANSITIONS[review.status]:
        raise Conflict(
            f"The referral is {review.get_status_display().lower()}; it cannot be {Status(to).label.lower()} now.",
            code="invalid_transition",
        )
    review.status = to
    review.version += 1
    for name, value in fields.items():
        setattr(review, name, value)
    review.save(update_fields=["status", "version", *fields])


def _check_version(review: ReferralReview, expected_review_version) -> None:
    if expected_review_version is not None and review.version != expected_review_version:
        raise Conflict(
            "Someone else acted on this referral while you were working on it. Review the new state and try again.",
            code="stale",
        )


def referral_nurse_check(*, actor, case: AuthorizationRequest) -> None:
    """The unit's nurse may act while the case is open and the office is not answering."""
    require_open(case, actor=actor)
    review = getattr(case, "referral_review", None)
    if review is None or review.status not in (Status.OPEN, Status.DECLINED):
        raise Conflict(f"{case.reference} has no referral decision waiting for the unit.", code="not_waiting")


def _case_for_unit(*, actor, case_id, expected_version):
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.REFERRAL_MANAGE, expected_version=expected_version)
    require_open(case, actor=actor)
    return case


@transaction.atomic
def redirection_offer(
    *,
    case_id,
    actor,
    organization_npi: str,
    practitioner_npi: str = "",
    message: str,
    expected_version: int | None = None,
    expected_review_version: int | None = None,
) -> RedirectionOffer:
    """Propose an in-network option to the referring office, with the reason."""
    case = _case_for_unit(actor=actor, case_id=case_id, expected_version=expected_version)
    review = _review_locked(case)
    _check_version(review, expected_review_version)
    if review.status not in (Status.OPEN, Status.DECLINED):
        raise Conflict(
            f"The referral is {review.get_status_display().lower()}: no new proposal now.", code="not_waiting"
        )
    message = _text(message, "message", "Tell the office why this option is proposed.")
    option = directory.option_resolve(
        case, organization_npi=(organization_npi or "").strip(), practitioner_npi=(practitioner_npi or "").strip()
    )
    try:
        with transaction.atomic():
            offer = RedirectionOffer.objects.create(
                review=review, case=case, organization_id=option.organization_id,
                practitioner_id=option.practitioner_id, option_name=option.name[:200],
                option_detail=option.detail[:300], network=option.network, distance_miles=option.distance_miles,
                message=message, specialty=review.specialty, specialty_name=review.specialty_name,
                offered_by=actor, offered_at=timezone.now(),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(f"A redirection is already proposed on {case.reference}.", code="already_offered") from None
    _review_move(review, Status.OFFERED)
    events.event_redirection_offered(case=case, actor=actor, offer=offer)
    return offer


@transaction.atomic
def referral_approve_out_of_network(
    *,
    case_id,
    actor,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
    expected_review_version: int | None = None,
):
    """Approve the referral as requested, out of network, for a recorded reason. The
    decision is an approval in full (a nurse may approve, RULES.md section 3); its event
    tells the letters it is out of network (the member's letter speaks of cost sharing)."""
    case = _case_for_unit(actor=actor, case_id=case_id, expected_version=expected_version)
    if not case.lines.filter(cancelled_at__isnull=True).exists():
        raise Conflict(f"{case.reference} has no service line left to approve.", code="no_lines")
    review = _review_locked(case)
    _check_version(review, expected_review_version)
    reason = _reason(reason, "reason", APPROVAL_REASONS)
    note = _text(note, "note", "Explain the reason.", required=reason == OutOfNetworkReason.OTHER)
    if review.status not in (Status.OPEN, Status.DECLINED):
        raise Conflict(
            f"The referral is {review.get_status_display().lower()}: it cannot be approved out of network now.",
            code="not_waiting",
        )
    now = timezone.now()
    _review_move(review, Status.APPROVED_OUT_OF_NETWORK, approval_reason=reason, approval_note=note,
                 decided_by=actor, decided_at=now)  # fmt: skip
    words = OutOfNetworkReason(reason).label
    decision = decision_record(
        case=case, actor=actor, outcome="approved", basis="",
        reason=f"Approved out of network: {words.lower()}." + (f" {note}" if note else ""),
        rationale=note, criteria=[], approved_units=_lines_resolve(case=case, lines=None),
    )  # fmt: skip
    events.event_out_of_network_approved(case=case, actor=actor, review=review)
    events.event_decision_recorded(
        case=case, actor=actor, decision=decision,
        extra={"out_of_network": True, "out_of_network_reason": reason, "referral_review_id": review.pk},
    )  # fmt: skip
    return decision


def redirection_respond_check(*, actor, case: AuthorizationRequest) -> None:
    """Only the referring office answers (403 for the servicing one), and only a proposal
    still open on an open case (409)."""
    if actor.organization_id is None or actor.organization_id != case.requesting_organization_id:
        raise NotAllowed(
            f"Only the referring office answers a proposed redirection of {case.reference}.", code="not_requester"
        )
    if not case.is_open or not any(o.status == RedirectionOffer.Status.OFFERED for o in case.redirections.all()):
        raise Conflict(f"{case.reference} has no proposed redirection to answer.", code="no_open_redirection")


def _offer_for_office(*, case, user) -> tuple[AuthorizationRequest, ReferralReview, RedirectionOffer]:
    case_for_user(user, case.pk, need=Perm.REDIRECTION_RESPOND)  # 404 stranger, 403 role
    locked = case_for_user(user, case.pk, lock=True)
    redirection_respond_check(actor=user, case=locked)
    review = _review_locked(locked)
    offer = (
        RedirectionOffer.objects.select_for_update(of=("self",))
        .filter(case=locked, status=RedirectionOffer.Status.OFFERED)
        .select_related("organization", "practitioner")
        .first()
    )
    if offer is None or review.status != Status.OFFERED:
        raise Conflict(f"{locked.reference} has no proposed redirection to answer.", code="no_open_redirection")
    return locked, review, offer


def _servicing_name(case) -> str:
    if case.servicing_practitioner_id:
        return f"{case.servicing_practitioner.name}, {case.servicing_organization.name}"
    return case.servicing_organization.name


@transaction.atomic
def redirection_accept(*, case: AuthorizationRequest, user, note: str = "") -> RedirectionOffer:
    """The office takes the proposed option: the servicing provider changes (the old one
    is kept on the proposal and in the event); the member is told by letter."""
    locked, review, offer = _offer_for_office(case=case, user=user)
    note = _text(note, "note", "Note", required=False)
    offer.previous_organization_id = locked.servicing_organization_id
    offer.previous_practitioner_id = locked.servicing_practitioner_id
    offer.previous_servicing_name = _servicing_name(locked)[:200]
    offer.status, offer.responded_by, offer.responded_at, offer.response_note = (
        RedirectionOffer.Status.ACCEPTED, user, timezone.now(), note,
    )  # fmt: skip
    offer.save(update_fields=["previous_organization", "previous_practitioner", "previous_servicing_name",
                              "status", "responded_by", "responded_at", "response_note"])  # fmt: skip
    servicing_provider_change(case=locked, organization=offer.organization, practitioner=offer.practitioner)
    _review_move(review, Status.REDIRECTED)
    events.event_redirection_accepted(case=locked, actor=user, offer=offer)
    return offer


@transaction.atomic
def redirection_decline(*, case: AuthorizationRequest, user, reason: str, note: str = "") -> RedirectionOffer:
    """The office keeps its choice, with the reason; the referral goes back to the unit."""
    locked, review, offer = _offer_for_office(case=case, user=user)
    reason = _reason(reason, "reason", OutOfNetworkReason.values)
    note = _text(note, "note", "Explain the reason.", required=reason == OutOfNetworkReason.OTHER)
    offer.status, offer.responded_by, offer.responded_at = RedirectionOffer.Status.DECLINED, user, timezone.now()
    offer.decline_reason, offer.response_note = reason, note
    offer.save(update_fields=["status", "responded_by", "responded_at", "decline_reason", "response_note"])
    _review_move(review, Status.DECLINED)
    events.event_redirection_declined(case=locked, actor=user, offer=offer)
    return offer
