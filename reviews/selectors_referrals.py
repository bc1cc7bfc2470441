"""Referral management reads (issue 20): the unit's queue (a fixed number of queries per
page, keyset on the due time) and what the review and case pages show beside a referral."""

from dataclasses import dataclass, field

from cases.models import OPEN_STATUSES, AuthorizationRequest

from . import referral_directory as directory
from .models_referrals import RedirectionOffer, ReferralReview
from .pagination import Page, keyset_page
from .referral_intent import IntentFlag, case_intent_flags

PAGE_SIZE = 50
QUEUE_ORDER = ("due_at", "id")
STATUS_FILTERS = tuple(s.value for s in ReferralReview.QUEUED)


def referral_queue_page(*, status: str = "", cursor: str | None = None, limit: int | None = None) -> Page:
    """Out-of-network referrals waiting on the unit or on the office, most urgent first: one
    query (the review with its case, member, offices and servicing practitioner). The
    caller has checked the unit's permission: the unit sees every referral."""
    statuses = [status] if status in STATUS_FILTERS else list(STATUS_FILTERS)
    qs = ReferralReview.objects.filter(status__in=statuses, case__status__in=OPEN_STATUSES).select_related(
        "case__member",
        "case__requesting_organization",
        "case__servicing_organization",
        "case__servicing_practitioner",
    )
    return keyset_page(qs, fields=QUEUE_ORDER, cursor=cursor, limit=limit or PAGE_SIZE)


@dataclass
class ReferralPanel:
    review: ReferralReview | None
    offers: list[RedirectionOffer]
    alternatives: list[directory.Option]
    flags: list[IntentFlag]
    network_status: str
    specialty_name: str
    open_offer: RedirectionOffer | None = None
    last_declined: RedirectionOffer | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class OfficeRedirections:
    offers: list[RedirectionOffer]
    open_offer: RedirectionOffer | None


def office_redirections(case: AuthorizationRequest) -> OfficeRedirections | None:
    """What the referring office sees of a referral's proposed redirections (one query;
    none for any other request)."""
    if not directory.is_referral(case):
        return None
    offers = list(
        RedirectionOffer.objects.filter(case=case)
        .select_related("organization", "practitioner")
        .order_by("offered_at", "id")
    )
    return OfficeRedirections(
        offers=offers, open_offer=next((o for o in offers if o.status == RedirectionOffer.Status.OFFERED), None)
    )


def referral_panel(case: AuthorizationRequest, *, alternatives: bool = True) -> ReferralPanel | None:
    """What the pages show of a referral (None for any other request): its review, the
    proposals made, the in-network alternatives and the clinical-intent check as of now."""
    if not directory.is_referral(case):
        return None
    review = ReferralReview.objects.filter(case=case).first()
    offers = list(
        RedirectionOffer.objects.filter(case=case)
        .select_related("organization", "practitioner", "offered_by", "responded_by")
        .order_by("offered_at", "id")
    )
    if review is not None:
        specialty, specialty_name, network = review.specialty, review.specialty_name, review.network_status
    else:
        specialty, specialty_name = directory.case_specialty(case)
        network = directory.case_network_status(case)
    flags = case_intent_flags(case, specialty=specialty, specialty_name=specialty_name)
    waiting = review is not None and review.status in ReferralReview.QUEUED and case.is_open
    return ReferralPanel(
        review=review,
        offers=offers,
        alternatives=directory.case_alternatives(case) if alternatives and waiting else [],
        flags=flags,
        network_status=network,
        specialty_name=specialty_name,
        open_offer=next((o for o in offers if o.status == RedirectionOffer.Status.OFFERED), None),
        last_declined=next((o for o in reversed(offers) if o.status == RedirectionOffer.Status.DECLINED), None),
    )
