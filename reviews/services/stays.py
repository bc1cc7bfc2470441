"""Concurrent review of inpatient stays (issue 19, item 2): the nurse's actions on the
queue. A request for more days is a concurrent-review case of its own (its clock, the
physician-only rule for anything adverse, letters); approving it goes through the one
decision service, whose hook extends the stay (cases.services.stays.stay_review_decided).

Lock order, on every path that touches a stay and its request for more days:

    1. the request's case (AuthorizationRequest row),
    2. the request (StayReview row),
    3. the stay (InpatientStay row).

A physician deciding the request on its case page takes them so: `case_for_action` locks
the case, then `decision_record` -> `stay_review_decided` the request, then the stay. The
nurse's actions below start from the stay, so they read it first without a lock, lock the
case and the request it names, and only then the stay; a stay whose open request changed
in between is a 409 (someone else acted first), never a lock taken out of order, which is
how a nurse and a physician acting at once on one request deadlocked (PostgreSQL kills one
of them: a 500). A path may skip a level (a note locks only the stay) but never go back up
one. The admission case is never locked here: events on it take only a key-share lock."""

from django.db import transaction

from cases.access import stay_for_user
from cases.models import CaseStatus, InpatientStay, StayReview
from cases.services import stays as stay_rules
from cases.services.workflow import case_lock
from um_portal.exceptions import Conflict, ValidationFailed
from um_portal.roles import Perm

from .decisions import case_approve
from .pends import case_route_to_physician


def _stale(stay: InpatientStay) -> Conflict:
    return Conflict(
        "Someone else changed this stay while you were working on it "
        f"({stay.authorized_days} days authorized through {stay.authorized_through}). Reload it and try again.",
        code="stale",
    )


def _stay_locked(*, actor, stay_id, need: Perm, seen: InpatientStay) -> InpatientStay:
    """Lock in the module's order the open request `seen` names (its case, then the request
    row), then the stay; returns the stay as it is now."""
    if seen.open_review_id is not None:
        case_lock(case_id=seen.open_review.case_id)
        StayReview.objects.select_for_update().filter(pk=seen.open_review_id).first()
    return stay_for_user(actor, stay_id, need=need, lock=True)


def _stay_for_action(
    *, actor, stay_id, need: Perm, expected_version: int | None, seen: InpatientStay | None = None
) -> InpatientStay:
    """The stay locked in the module's order for `actor` doing `need`: 404 for strangers,
    403 for the role, 409 when stale. `seen`: the stay as read before any lock (read here
    when not given)."""
    if seen is None:
        seen = stay_for_user(actor, stay_id, need=need)
    if expected_version is not None and seen.version != int(expected_version):
        raise _stale(seen)  # nothing locked yet
    stay = _stay_locked(actor=actor, stay_id=stay_id, need=need, seen=seen)
    if stay.open_review_id != seen.open_review_id or (
        expected_version is not None and stay.version != int(expected_version)
    ):
        # The request named when we looked is no longer the stay's (decided, discharged, or
        # a new one opened meanwhile): the locks taken do not cover the stay's new state.
        raise _stale(stay)
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


def _open_review_locked(stay: InpatientStay) -> StayReview | None:
    """The stay's open request (its row locked before the stay's): a request decided
    meanwhile is a 409, never a second approval."""
    if stay.open_review_id is None:
        return None
    review = stay.open_review  # its row locked with the stay (_stay_locked)
    if review.closed_at is not None:
        raise _decided_conflict(review, stay)
    return review


@transaction.atomic
def stay_days_approve(
    *, stay_id, actor, days, expected_version: int, next_review_on=None, note: str = ""
) -> InpatientStay:
    """Approve `days` more days with the next review date (default: the new last authorized
    day, moved to a business day). Approving an open request approves it in full: fewer
    days than asked is a partial approval, which only a physician signs.

    `expected_version` is the stay's version as the nurse saw it, required from every door:
    this action opens a request when none is open, so without it a late second click (or
    a retried call) would open and approve a second request for the same days. Any change
    since (this approval among them) is a 409, "already decided" when the request the nurse
    saw was decided meanwhile. Two nurses at once: the open request's case and row are
    locked, then the stay's (the module's lock order); the second waits, then gets the 409."""
    seen = stay_for_user(actor, stay_id, need=Perm.CASE_APPROVE)
    if expected_version is None:
        raise ValidationFailed(
            "Send the stay's version as you saw it: approving more days twice would open a second request.",
            errors={"version": ["This field is required."]},
        )
    try:
        stay = _stay_for_action(
            actor=actor, stay_id=stay_id, need=Perm.CASE_APPROVE, expected_version=expected_version, seen=seen
        )
    except Conflict as conflict:
        if conflict.code == "stale" and seen.open_review_id is not None:
            review = StayReview.objects.select_related("case").get(pk=seen.open_review_id)
            if review.closed_at is not None:
                raise _decided_conflict(review, InpatientStay.objects.get(pk=seen.pk)) from None
        raise
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
