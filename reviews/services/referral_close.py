"""Close the referral management review when the case is decided some other way than the
unit's own approval out of network (issue 20, item 3): the ordinary approve, deny or
partial approval through `decisions.decision_record`, whatever the door (page, API,
automation). Kept apart from `referrals` because that module imports `decisions`."""

from django.utils import timezone

from cases import events

from ..models_referrals import ReferralReview


def referral_review_close_on_decision(*, case, actor, decision) -> ReferralReview | None:
    """A review still in the unit's queue (open, offered, declined) is closed with the
    decision, and its event written; None when there is nothing to close. The caller holds
    the case lock and the transaction."""
    review = ReferralReview.objects.select_for_update().filter(case=case, status__in=ReferralReview.QUEUED).first()
    if review is None:
        return None
    old = review.status
    review.status = ReferralReview.Status.CLOSED
    review.decided_by, review.decided_at = actor, decision.decided_at or timezone.now()
    review.version += 1
    review.save(update_fields=["status", "decided_by", "decided_at", "version"])
    # A proposal the office never answered is moot once the case is decided.
    review.offers.filter(status="offered").update(status="withdrawn")
    events.event_referral_review_closed(case=case, actor=actor, review=review, old_status=old, decision=decision)
    return review
