"""Referral management pages (issue 20): the unit's queue (query count pinned, flags shown),
the review page's panel (alternatives, intent check, the two actions, buttons exactly when
the services accept), the referring office's answer from the case page."""

import pytest
from django.db import transaction

from reviews.models import RedirectionOffer, ReferralReview
from reviews.referral_actions import REDIRECTION_OFFICE_ACTIONS, REFERRAL_NURSE_ACTIONS
from reviews.selectors import case_detail_queryset
from reviews.services import referrals
from tests.referral_world import cardiologists, referral_to, unit_member
from um_portal.exceptions import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def heart(db):
    return cardiologists()


@pytest.fixture
def unit_nurse(nurse):
    return unit_member(nurse)


@pytest.fixture
def referral(heart, ortho, surgeon):
    return referral_to(heart.far, ortho=ortho, surgeon=surgeon)


def test_the_queue_shows_the_referral_and_its_questions_in_a_fixed_number_of_queries(
    client, heart, ortho, surgeon, unit_nurse, django_assert_num_queries
):
    referral_to(heart.far, ortho=ortho, surgeon=surgeon, diagnoses=["L40.0"], code="93306", description="Echo")
    client.force_login(unit_nurse)
    client.get("/reviews/referrals/")  # warm the session
    # session, the user with their groups (role) and the unit's permission; the page (reviews
    # with case, member, offices, practitioner); access log rows; nav unread count (the
    # session, renewed by the first page, is not written again within SESSION_RENEW_SECONDS)
    with django_assert_num_queries(5) as first:
        page = client.get("/reviews/referrals/")
    for _ in range(3):
        referral_to(heart.far, ortho=ortho, surgeon=surgeon)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/reviews/referrals/")

    body = page.content.decode()
    assert "2 questions" in body and "does not usually treat the diagnoses given (L40.0)" in body
    assert "Faraway" in body
    assert "Harbor Heart Center" in body and "Plan Medical Center Cardiology" in body  # the alternatives


def test_the_queue_is_the_units(client, nurse2, physician, provider):
    for user in (nurse2, physician, provider):
        client.force_login(user)
        assert client.get("/reviews/referrals/").status_code == 403


def test_the_review_page_lists_the_alternatives_and_proposes_one(client, referral, heart, unit_nurse, nurse2):
    client.force_login(unit_nurse)
    page = client.get(f"/reviews/cases/{referral.pk}/").content.decode()
    assert 'id="referral-management"' in page and "Harbor Heart Center" in page and "Plan Medical Center" in page
    assert 'id="redirection-offer-form"' in page and 'id="oon-approve-form"' in page
    # Network statuses read as their labels, never as squeezed codes ("Outofnetwork").
    assert "Servicing provider: <strong>Out of network</strong>" in page and "Outofnetwork" not in page

    answer = client.post(
        f"/reviews/cases/{referral.pk}/redirection/",
        {"organization_npi": f"{heart.near.organization.npi}/{heart.near.npi}", "message": "A mile from home."},
    )

    assert answer.status_code == 302
    offer = RedirectionOffer.objects.get(case=referral)
    assert (offer.practitioner_id, offer.message) == (heart.near.pk, "A mile from home.")
    # A nurse outside the unit sees the panel but not the actions.
    client.force_login(nurse2)
    other = client.get(f"/reviews/cases/{referral.pk}/").content.decode()
    assert 'id="referral-management"' in other and 'id="oon-approve-form"' not in other


def test_the_office_declines_from_the_case_page_and_a_stranger_gets_404(
    client, referral, heart, unit_nurse, provider, provider2
):
    referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi=heart.near.organization.npi,
                                message="Dr. Nearby is a mile from home.")  # fmt: skip
    client.force_login(provider)
    page = client.get(f"/cases/{referral.pk}/").content.decode()
    assert "Dr. Nearby is a mile from home." in page and 'id="redirection-decline-form"' in page

    client.force_login(provider2)
    assert client.post(f"/cases/{referral.pk}/redirection/decline/", {"reason": "distance"}).status_code == 404
    client.force_login(provider)
    bad = client.post(f"/cases/{referral.pk}/redirection/decline/", {"reason": "cheaper"}, follow=True)
    assert "Select a valid choice" in bad.content.decode()
    assert RedirectionOffer.objects.get(case=referral).status == "offered"
    answer = client.post(f"/cases/{referral.pk}/redirection/decline/", {"reason": "continuity_of_care"})

    assert answer.status_code == 302
    assert RedirectionOffer.objects.get(case=referral).decline_reason == "continuity_of_care"
    assert ReferralReview.objects.get(case=referral).status == "declined"


def _refusal(action, user, case, data):
    with transaction.atomic():
        try:
            action.run(user, case, data)
        except DomainError as exc:
            return exc.message
        finally:
            transaction.set_rollback(True)
    return None


@pytest.mark.parametrize("state", ["open", "offered", "declined", "approved"])
def test_every_button_shows_exactly_when_its_service_accepts(
    state, referral, heart, unit_nurse, nurse2, physician, provider, provider2
):
    if state in ("offered", "declined"):
        referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse,
                                    organization_npi=heart.near.organization.npi, message="Closer.")  # fmt: skip
    if state == "declined":
        referrals.redirection_decline(case=referral, user=provider, reason="distance")
    if state == "approved":
        referrals.referral_approve_out_of_network(case_id=referral.pk, actor=unit_nurse, reason="availability")
    good = {
        "redirection_offer": {"organization_npi": heart.near.organization.npi, "message": "Closer."},
        "referral_approve_out_of_network": {"reason": "distance", "note": ""},
        "redirection_accept": {"note": ""},
        "redirection_decline": {"reason": "distance", "note": ""},
    }
    mismatches = []
    for user in (unit_nurse, nurse2, physician, provider, provider2):
        for name, action in {**REFERRAL_NURSE_ACTIONS, **REDIRECTION_OFFICE_ACTIONS}.items():
            case = case_detail_queryset().get(pk=referral.pk)
            try:
                shown = action.allowed(user, case)
            except DomainError:
                shown = False
            refused = _refusal(action, user, case, good[name])
            if shown != (refused is None):
                mismatches.append(f"{user.username} {name}: shown={shown} refused={refused}")
    assert not mismatches, "\n".join(mismatches)
