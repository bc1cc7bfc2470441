"""What a provider office asks of the plan on an existing case: answer a request for
information, withdraw, ask for the criteria used, ask for a peer-to-peer talk, appeal.

Each records the request (a review row: the answer to a pend, a peer-to-peer request, an
appeal, a criteria copy request) and writes its event; the reviewers' side of them is the
rest of `reviews`. Each checks the user's access itself through `case_for_user` (whatever the
door: page, API, shell), then re-reads the case under a row lock so two clicks cannot
both succeed.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.access import case_for_user
from cases.deadlines.services import case_clock_fields_set
from cases.models import DECIDED_STATUSES, OPEN_STATUSES, Attachment, AuthorizationRequest, CaseStatus
from cases.services import stays
from cases.services.workflow import case_lock, case_status_set
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed
from um_portal.roles import Perm
from um_portal.validators import phone_is_valid

from ..models import Appeal, CriteriaCopyRequest, Decision, PeerToPeerRequest, Pend
from ..selectors import decision_current
from .referral_close import referral_review_close

ADVERSE_STATUSES = frozenset({CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED})
# Appeal decision time limits counted from filing: 72 hours expedited (42 CFR 422.590(e),
# NCQA UM 8), 30 calendar days for a standard pre-service appeal (42 CFR 422.590(a)).
APPEAL_EXPEDITED_HOURS = 72
APPEAL_STANDARD_DAYS = 30
TEXT_MAX = 5000


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, errors={field: [message]})
    if len(value) > TEXT_MAX:
        raise ValidationFailed(
            f"Keep it under {TEXT_MAX} characters.", errors={field: [f"At most {TEXT_MAX} characters."]}
        )
    return value


def _require_adverse(case: AuthorizationRequest, what: str) -> Decision:
    decision = decision_current(case=case)
    if case.status not in ADVERSE_STATUSES or decision is None:
        raise Conflict(
            f"Case {case.reference} is {case.get_status_display().lower()}: {what} is possible only after "
            "a denial or a partial approval."
        )
    return decision


def pend_answer_check(*, actor, case: AuthorizationRequest) -> None:
    """Only an open request for information is answered (409 otherwise)."""
    if not any(pend.responded_at is None for pend in case.pends.all()):
        raise Conflict(f"Case {case.reference} has no open request for information to answer.")


@transaction.atomic
def pend_answer(*, case: AuthorizationRequest, user, text: str, attachment_ids: list | None = None) -> Pend:
    """Answer the open request for information: the case goes back to review and its
    clocks are recomputed from the moment the information arrived."""
    case_for_user(user, case.pk, need=Perm.CASE_RESPOND)  # 404 for strangers, 403 for the wrong role
    locked = case_lock(case_id=case.pk)
    pend_answer_check(actor=user, case=locked)
    pend = Pend.objects.select_for_update().get(case=locked, responded_at__isnull=True)
    ids = [str(i) for i in (attachment_ids or [])]
    attachments = list(Attachment.objects.filter(case=locked, pk__in=_uuids(ids)))
    if len(attachments) != len(set(ids)):
        raise ValidationFailed(
            "Some documents are not on this case: upload them to this case first.",
            errors={"attachment_ids": ["Each id must be a document uploaded to this case."]},
        )
    if not (text or "").strip() and not attachments:
        raise ValidationFailed(
            "Answer with some text, documents, or both.", errors={"text": ["Give the information asked for."]}
        )
    return pend_answer_record(locked=locked, pend=pend, user=user, text=text, attachments=attachments)


def pend_answer_record(
    *, locked: AuthorizationRequest, pend: Pend, user, text: str, attachments: list, at=None
) -> Pend:
    """What answering an open request for information does, whoever brought the answer (the
    office on the portal, or a follow-up fax a nurse attached): the answer recorded, the
    event, the case back to review, its clocks recomputed from when the information
    arrived (`at`, default now). The case and the pend are locked by the caller."""
    now = at or timezone.now()
    pend.response_text = (text or "").strip()[:TEXT_MAX]
    pend.responded_by = user
    pend.responded_at = now
    pend.save(update_fields=["response_text", "responded_by", "responded_at"])
    pend.response_attachments.set(attachments)
    events.event_information_received(case=locked, actor=user, pend=pend)
    if locked.status == CaseStatus.PENDED:
        case_status_set(case=locked, to_status=CaseStatus.IN_REVIEW, actor=user, message="Information received.")
    old_due = locked.decision_due_at
    # Due time, per-rule breakdown, notice due time and the next deadline alert, together.
    fields = case_clock_fields_set(case=locked, information_received_at=now)
    locked.save(update_fields=[*fields, "updated_at"])
    if locked.decision_due_at != old_due:
        events.event_clock_set(
            case=locked,
            actor=None,
            old_due=old_due,
            new_due=locked.decision_due_at,
            reason="Due time recomputed: requested information received.",
        )
    return pend


def _uuids(ids: list[str]) -> list:
    out = []
    for value in ids:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            raise ValidationFailed(
                f"'{value}' is not a document id.", errors={"attachment_ids": [f"'{value}' is not a document id."]}
            ) from None
    return out


def case_withdraw_check(*, actor, case: AuthorizationRequest) -> None:
    """Only the requesting office withdraws (403 for the servicing one, which sees the
    request but did not make it: issue 12), and only a request not yet decided (409)."""
    if actor.organization_id is None or actor.organization_id != case.requesting_organization_id:
        raise NotAllowed(
            f"Only the requesting office can withdraw {case.reference}. As the servicing provider, ask the "
            "requesting office to withdraw it, or call the plan.",
            code="not_requester",
        )
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            f"Case {case.reference} is {case.get_status_display().lower()}: only a request not yet decided "
            "can be withdrawn."
        )


@transaction.atomic
def case_withdraw(*, case: AuthorizationRequest, user, reason: str) -> AuthorizationRequest:
    """The provider withdraws a request not yet decided (the page, the API, a Da Vinci PAS
    cancel). A referral waiting for the referral management unit leaves its queue; a
    hospital's request for more inpatient days is closed on its stay (no days added, the
    stay due for review again), in the decision's lock order: the case, then the stay."""
    case_for_user(user, case.pk, need=Perm.CASE_WITHDRAW)  # 404 for strangers, 403 for the wrong role
    reason = _text(reason, "reason", "Say why the request is withdrawn.")
    locked = case_lock(case_id=case.pk)
    case_withdraw_check(actor=user, case=locked)
    events.event_withdrawn(case=locked, actor=user, reason=reason)
    case_status_set(case=locked, to_status=CaseStatus.WITHDRAWN, actor=user, message=reason)
    referral_review_close(case=locked, actor=user, outcome=CaseStatus.WITHDRAWN.value)
    stays.stay_review_decided(case=locked, actor=user)
    return locked


def criteria_copy_request_check(*, actor, case: AuthorizationRequest) -> None:
    """A copy of the criteria is asked for once the case is decided (409 before)."""
    if case.status not in DECIDED_STATUSES or decision_current(case=case) is None:
        raise Conflict(f"Case {case.reference} has no decision yet: there are no criteria used to copy.")


@transaction.atomic
def criteria_copy_request(*, case: AuthorizationRequest, user) -> CriteriaCopyRequest:
    """Ask for a copy of the criteria used in the decision (free of charge)."""
    case_for_user(user, case.pk, need=Perm.CASE_RESPOND)  # 404 for strangers, 403 for the wrong role
    locked = case_lock(case_id=case.pk)
    criteria_copy_request_check(actor=user, case=locked)
    request = CriteriaCopyRequest.objects.create(case=locked, requested_by=user, requested_at=timezone.now())
    events.event_criteria_requested(case=locked, actor=user, request=request)
    return request


def peer_to_peer_request_check(*, actor, case: AuthorizationRequest) -> None:
    """After a denial or partial approval (409 before), one open talk at a time (409)."""
    _require_adverse(case, "a peer-to-peer talk")
    open_statuses = (PeerToPeerRequest.Status.REQUESTED, PeerToPeerRequest.Status.SCHEDULED)
    if any(talk.status in open_statuses for talk in case.peer_to_peers.all()):
        raise Conflict(f"A peer-to-peer talk on {case.reference} is already requested.", code="already_requested")


@transaction.atomic
def peer_to_peer_request(
    *, case: AuthorizationRequest, user, phone: str, preferred_times: list[str] | None = None
) -> PeerToPeerRequest:
    """The treating provider asks to discuss an adverse decision with the UM physician."""
    case_for_user(user, case.pk, need=Perm.CASE_REQUEST_PEER_TO_PEER)  # 404 for strangers, 403 for the wrong role
    locked = case_lock(case_id=case.pk)
    _require_adverse(locked, "a peer-to-peer talk")
    phone = (phone or "").strip()
    if not phone_is_valid(phone, min_digits=10):
        raise ValidationFailed(
            "Give a phone number the physician can call, e.g. 410-555-0100.",
            errors={"phone": ["A phone number of 10 to 15 digits."]},
        )
    times = [str(t).strip()[:100] for t in (preferred_times or []) if str(t).strip()][:10]
    peer_to_peer_request_check(actor=user, case=locked)
    p2p = PeerToPeerRequest.objects.create(
        case=locked, requested_by=user, requested_at=timezone.now(), preferred_times=times, phone=phone
    )
    events.event_peer_to_peer_requested(case=locked, actor=user, peer_to_peer=p2p)
    return p2p


def appeal_file_check(*, actor, case: AuthorizationRequest) -> None:
    """After a denial or partial approval (409 before), one open appeal at a time (409)."""
    _require_adverse(case, "an appeal")
    if any(appeal.status == Appeal.Status.OPEN for appeal in case.appeals.all()):
        raise Conflict(f"Case {case.reference} already has an open appeal.", code="appeal_open")


@transaction.atomic
def appeal_file(*, case: AuthorizationRequest, user, reason: str, expedited: bool = False) -> Appeal:
    """File an appeal of the adverse decision; one open appeal per case."""
    case_for_user(user, case.pk, need=Perm.CASE_APPEAL)  # 404 for strangers, 403 for the wrong role
    reason = _text(reason, "reason", "Say why the decision should be reconsidered.")
    locked = case_lock(case_id=case.pk)
    appeal_file_check(actor=user, case=locked)
    decision = decision_current(case=locked)
    filed_at = timezone.now()
    due_at = (
        filed_at + timedelta(hours=APPEAL_EXPEDITED_HOURS)
        if expedited
        else filed_at + timedelta(days=APPEAL_STANDARD_DAYS)
    )
    appeal = Appeal.objects.create(
        case=locked,
        decision_appealed=decision,
        reason=reason,
        expedited=bool(expedited),
        filed_by=user,
        filed_at=filed_at,
        due_at=due_at,
    )
    events.event_appeal_filed(case=locked, actor=user, appeal=appeal)
    return appeal
