"""Close the referral management review when the case ends some other way than the unit's
own approval out of network (issue 20, item 3): the ordinary approve, deny or partial
approval through `decisions.decision_record`, and the requester's withdrawal or
cancellation (`provider_requests.case_withdraw`: the page, the API, a Da Vinci PAS
cancel), whatever the door. Kept apart from `referrals` because that module imports
`decisions`."""

from django.utils import timezone

from cases import events

from ..models_referrals import ReferralReview


def referral_review_close(*, case, actor, decision=None, outcome: str = "") -> ReferralReview | None:
    """A review still in the unit's queue (open, offered, declined) is closed, an offer the
    office never answered is withdrawn (moot now), and the closing event is written; None
    when there is nothing to close. `decision` when the case was decided, else `outcome`
    says how it ended (e.g. "withdrawn"). The caller holds the case lock and the
    transaction."""
    review = ReferralReview.objects.select_for_update().filter(case=case, status__in=ReferralReview.QUEUED).first()
    if review is None:
        return None
    old = review.status
    review.status = ReferralReview.Status.CLOSED
    review.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    review.decided_at = (decision.decided_at if decision is not None else None) or timezone.now()
    review.version += 1
    review.save(update_fields=["status", "decided_by", "decided_at", "version"])
    review.offers.filter(status="offered").update(status="withdrawn")
    events.event_referral_review_closed(
        case=case, actor=actor, review=review, old_status=old, decision=decision, outcome=outcome
    )
    return review


def referral_review_close_on_decision(*, case, actor, decision) -> ReferralReview | None:
    """The case was decided (decision_record, in its transaction)."""
    return referral_review_close(case=case, actor=actor, decision=decision)
