"""A referral in the referral management queue decided through the ordinary approve, deny
or partial approval (`decisions.decision_record`), or withdrawn or cancelled by the
referring office (`provider_requests.case_withdraw`, whatever the door), leaves the queue:
its review is closed, an unanswered proposal is withdrawn, and the closing is an event."""

import pytest

from cases.models import CaseEvent
from reviews.models import ReferralReview
from reviews.selectors_referrals import referral_queue_page
from reviews.services import referrals
from reviews.services.decisions import case_approve, case_deny
from reviews.services.provider_requests import case_withdraw
from tests.referral_world import cardiologists, referral_to, unit_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
K = CaseEvent.Kind


@pytest.fixture
def heart(db):
    return cardiologists()


@pytest.fixture
def referral(heart, ortho, surgeon):
    return referral_to(heart.far, ortho=ortho, surgeon=surgeon)


def _closed_event(case):
    return CaseEvent.objects.get(case=case, kind=K.REFERRAL_REVIEW_CLOSED)


def test_an_ordinary_approval_closes_the_waiting_review_with_an_event(referral, nurse):
    assert ReferralReview.objects.get(case=referral).status == "open"

    decision = case_approve(case_id=referral.pk, actor=nurse)

    review = ReferralReview.objects.get(case=referral)
    assert (review.status, review.decided_by_id, review.decided_at) == ("closed", nurse.pk, decision.decided_at)
    event = _closed_event(referral)
    assert (event.old_value, event.new_value, event.actor_id) == ("open", "closed", nurse.pk)
    assert event.data == {"referral_review_id": review.pk, "decision_id": decision.pk, "outcome": "approved"}
    assert not event.provider_visible
    assert referral.pk not in [r.case_id for r in referral_queue_page().rows]


def test_a_denial_closes_a_review_with_an_unanswered_proposal_and_withdraws_it(referral, heart, nurse):
    unit_nurse = unit_member(nurse)
    offer = referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse,
                                        organization_npi=heart.near.organization.npi, message="Closer.")  # fmt: skip

    decision = case_deny(reason_code="AD01", case_id=referral.pk, actor=nurse, basis="administrative",
                         reason="Not eligible on the date of service.")  # fmt: skip

    assert ReferralReview.objects.get(case=referral).status == "closed"
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    event = _closed_event(referral)
    assert (event.old_value, event.data["outcome"]) == ("offered", decision.outcome)


def test_the_units_own_approval_out_of_network_is_not_closed_over(referral, nurse):
    referrals.referral_approve_out_of_network(case_id=referral.pk, actor=unit_member(nurse), reason="availability")

    assert ReferralReview.objects.get(case=referral).status == "approved_out_of_network"
    assert not CaseEvent.objects.filter(case=referral, kind=K.REFERRAL_REVIEW_CLOSED).exists()


def test_a_decision_on_a_case_without_a_review_writes_nothing_about_referrals(make_case, nurse):
    case = make_case()

    case_approve(case_id=case.pk, actor=nurse)

    assert not ReferralReview.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind=K.REFERRAL_REVIEW_CLOSED).exists()


def _closed_by_withdrawal(referral, provider, *, old: str) -> None:
    review = ReferralReview.objects.get(case=referral)
    assert (review.status, review.decided_by_id) == ("closed", provider.pk)
    assert review.decided_at is not None
    event = _closed_event(referral)
    assert (event.old_value, event.new_value, event.actor_id) == (old, "closed", provider.pk)
    assert event.data == {"referral_review_id": review.pk, "outcome": "withdrawn"}
    assert event.message == "Referral management review closed: withdrawn."
    assert not event.provider_visible
    assert referral.pk not in [r.case_id for r in referral_queue_page().rows]


def test_withdrawing_a_waiting_referral_closes_its_review_with_an_event(referral, provider):
    # Given an out-of-network referral waiting in the unit's queue
    assert ReferralReview.objects.get(case=referral).status == "open"

    # When the referring office withdraws it
    case_withdraw(case=referral, user=provider, reason="The member chose to wait.")

    # Then the review is closed (the queue no longer lists it) and the closing is an event
    _closed_by_withdrawal(referral, provider, old="open")


def test_withdrawing_a_referral_with_an_unanswered_proposal_withdraws_the_proposal(referral, heart, nurse, provider):
    unit_nurse = unit_member(nurse)
    offer = referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse,
                                        organization_npi=heart.near.organization.npi, message="Closer.")  # fmt: skip

    case_withdraw(case=referral, user=provider, reason="Seen elsewhere.")

    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    _closed_by_withdrawal(referral, provider, old="offered")


def test_withdrawing_through_the_api_or_the_page_closes_the_review(referral, heart, ortho, surgeon, provider,
                                                                  api, client):  # fmt: skip
    # The API
    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{referral.pk}/withdraw/", {"reason": "No longer needed."}, format="json"
    )
    assert response.status_code == 200, response.json()
    _closed_by_withdrawal(referral, provider, old="open")

    # The page (the Da Vinci PAS cancel calls the same service)
    other = referral_to(heart.far, ortho=ortho, surgeon=surgeon)
    client.force_login(provider)
    client.post(f"/cases/{other.pk}/withdraw/", {"reason": "No longer needed."})
    other.refresh_from_db()
    assert other.status == "withdrawn"
    _closed_by_withdrawal(other, provider, old="open")


def test_withdrawing_a_request_without_a_review_writes_nothing_about_referrals(make_case, provider):
    case = make_case()

    case_withdraw(case=case, user=provider, reason="Not needed.")

    assert not CaseEvent.objects.filter(case=case, kind=K.REFERRAL_REVIEW_CLOSED).exists()
