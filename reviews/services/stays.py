"""Concurrent review of inpatient stays (issue 19, item 2): the nurse's actions on the
queue. A request for more days is a concurrent-review case of its own (its clock, the
physician-only rule for anything adverse, letters); approving it goes through the one
decision service, whose hook extends the stay (cases.services.stays.stay_review_decided)."""

from django.db import transaction

from cases.access import stay_for_user
from cases.models import CaseStatus, InpatientStay, StayReview
from cases.services import stays as stay_rules
from um_portal.exceptions import Conflict, ValidationFailed
from um_portal.roles import Perm

from .decisions import case_approve
from .pends import case_route_to_physician


def _stay_for_action(*, actor, stay_id, need: Perm, expected_version: int | None) -> InpatientStay:
    stay = stay_for_user(actor, stay_id, need=need, lock=True)
    if expected_version is not None and stay.version != int(expected_version):
        raise Conflict(
            "Someone else changed this stay while you were working on it "
            f"({stay.authorized_days} days authorized through {stay.authorized_through}). Reload it and try again.",
            code="stale",
        )
    stay_rules.stay_require_open(stay)
    return stay


def _review_with_physician(stay: InpatientStay) -> None:
    review = stay.open_review
    if review is not None and review.case.status == CaseStatus.PHYSICIAN_REVIEW:
        raise Conflict(
            f"The request for more days ({review.case.reference}) is with a physician; "
            "only a physician decides it now.",
            code="with_physician",
        )


def _decided_conflict(review: StayReview, stay: InpatientStay) -> Conflict:
    return Conflict(
        f"The request for more days ({review.case.reference}) is already decided "
        f"({stay.authorized_days} days authorized through {stay.authorized_through}). Reload the stay.",
        code="decided",
    )


def _stay_seen(stay_id) -> dict | None:
    """The stay's version and open request as the caller found it, read before the lock:
    a caller that sends no version (the API allows it) is taken to act on this state."""
    try:
        pk = int(str(stay_id))
    except (TypeError, ValueError):
        return None  # the access helper answers 404
    return InpatientStay.objects.filter(pk=pk).values("version", "open_review_id").first()


def _open_review_locked(stay: InpatientStay) -> StayReview | None:
    """The stay's open request, its row locked (the stay's is already held): a request
    decided meanwhile is a 409, never a second approval."""
    if stay.open_review_id is None:
        return None
    review = StayReview.objects.select_for_update(of=("self",)).select_related("case").get(pk=stay.open_review_id)
    if review.closed_at is not None:
        raise _decided_conflict(review, stay)
    return review


@transaction.atomic
def stay_days_approve(
    *, stay_id, actor, days, next_review_on=None, expected_version: int | None = None, note: str = ""
) -> InpatientStay:
    """Approve `days` more days with the next review date (default: the new last authorized
    day, moved to a business day). Approving an open request approves it in full: fewer
    days than asked is a partial approval, which only a physician signs.

    Two nurses approving at once: the stay row is locked, then its open request's. Without
    a `version` the stay as read before the lock stands for it, so the second click (which
    waited on the first's lock) gets a 409 instead of opening and approving a second request
    for the same days: "already decided" if the request it saw was decided meanwhile."""
    seen = _stay_seen(stay_id) if expected_version is None else None
    stay = _stay_for_action(actor=actor, stay_id=stay_id, need=Perm.CASE_APPROVE, expected_version=expected_version)
    if seen is not None and seen["version"] != stay.version:
        if seen["open_review_id"] is not None and seen["open_review_id"] != stay.open_review_id:
            raise _decided_conflict(StayReview.objects.select_related("case").get(pk=seen["open_review_id"]), stay)
        raise Conflict(
            "Someone else changed this stay while you were working on it "
            f"({stay.authorized_days} days authorized through {stay.authorized_through}). Reload it and try again.",
            code="stale",
        )
    stay.open_review = _open_review_locked(stay)
    _review_with_physician(stay)
    days = stay_rules.days_clean(days)
    through = stay_rules.authorized_through_for(admitted_at=stay.admitted_at, days=stay.authorized_days + days)
    review_on = stay_rules.review_date_clean(next_review_on, stay=stay, through=through)
    review = stay.open_review
    if review is not None and review.case.is_open:
        if days != review.days_requested:
            raise ValidationFailed(
                f"The open request ({review.case.reference}) is for {review.days_requested} days: approve those, "
                "or route it to a physician to approve fewer.",
                errors={"days": [f"{review.days_requested} days."]},
            )
    else:
        review = stay_rules.stay_review_open(stay=stay, actor=actor, days=days)
    review.next_review_on = review_on
    review.save(update_fields=["next_review_on"])
    case_approve(case_id=review.case_id, actor=actor, rationale=(note or "").strip())
    return InpatientStay.objects.get(pk=stay.pk)


@transaction.atomic
def stay_route_to_physician(*, stay_id, actor, days, note: str, expected_version: int | None = None) -> InpatientStay:
    """Send a request for `days` more days to a physician (anything that may end in fewer
    days or none is the physician's, RULES.md section 3), with the nurse's note."""
    stay = _stay_for_action(
        actor=actor, stay_id=stay_id, need=Perm.CASE_ROUTE_TO_PHYSICIAN, expected_version=expected_version
    )
    _review_with_physician(stay)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why the stay needs a physician.", errors={"note": ["This field is required."]})
    days = stay_rules.days_clean(days)
    review = stay.open_review
    if review is None or not review.case.is_open:
        review = stay_rules.stay_review_open(stay=stay, actor=actor, days=days)
    case_route_to_physician(case_id=review.case_id, actor=actor, note=note)
    stay.version += 1
    stay.save(update_fields=["version"])
    return stay


@transaction.atomic
def stay_discharge_record(
    *, stay_id, actor, discharged_at, disposition: str, expected_version: int | None = None
) -> InpatientStay:
    stay = _stay_for_action(actor=actor, stay_id=stay_id, need=Perm.QUEUE_WORK, expected_version=expected_version)
    return stay_rules.stay_discharge(stay=stay, actor=actor, discharged_at=discharged_at, disposition=disposition)


@transaction.atomic
def stay_note_add(*, stay_id, actor, text: str, expected_version: int | None = None) -> InpatientStay:
    stay = _stay_for_action(actor=actor, stay_id=stay_id, need=Perm.QUEUE_WORK, expected_version=expected_version)
    return stay_rules.stay_note_add(stay=stay, actor=actor, text=text)
