"""Two people on one referral at the same moment (issue 20): the office accepting the
proposal while the nurse approves out of network, or two unit nurses proposing at once:
exactly one wins, the other gets a 409 and nothing of theirs is written."""

import threading
import time

import pytest
from django.db import connection

from cases.models import AuthorizationRequest, CaseEvent
from reviews.models import RedirectionOffer, ReferralReview
from reviews.services import referrals
from tests.referral_world import cardiologists, referral_to, unit_member
from um_portal.exceptions import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(monkeypatch, *actions):
    # Hold the review lock a moment once taken, so the other really arrives while it is held.
    original = referrals._review_locked

    def slow(case):
        review = original(case)
        time.sleep(0.3)
        return review

    monkeypatch.setattr(referrals, "_review_locked", slow)
    barrier = threading.Barrier(len(actions))
    results = {}

    def run(name, action):
        try:
            barrier.wait()
            results[name] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects which one failed
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name, action)) for name, action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_unit_nurses_proposing_at_once_one_wins(monkeypatch, ortho, surgeon, nurse, nurse2):
    unit_member(nurse), unit_member(nurse2)
    heart = cardiologists()
    case = referral_to(heart.far, ortho=ortho, surgeon=surgeon)

    def offer(user, practitioner):
        return lambda: referrals.redirection_offer(
            case_id=case.pk, actor=user, organization_npi=practitioner.organization.npi, message="Closer."
        )

    results = _race(monkeypatch, ("a", offer(nurse, heart.near)), ("b", offer(nurse2, heart.center)))

    assert sorted(type(r).__name__ for r in results.values()) == ["Conflict", "RedirectionOffer"], results
    assert RedirectionOffer.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="redirection_offered").count() == 1


def test_the_office_accepting_while_nothing_is_offered_any_more(monkeypatch, ortho, surgeon, nurse, provider):
    unit_member(nurse)
    heart = cardiologists()
    case = referral_to(heart.far, ortho=ortho, surgeon=surgeon)
    referrals.redirection_offer(case_id=case.pk, actor=nurse, organization_npi=heart.near.organization.npi,
                                message="Closer.")  # fmt: skip

    results = _race(
        monkeypatch,
        ("accept", lambda: referrals.redirection_accept(case=case, user=provider)),
        ("decline", lambda: referrals.redirection_decline(case=case, user=provider, reason="distance")),
    )

    assert sorted(type(r).__name__ for r in results.values()) == ["Conflict", "RedirectionOffer"], results
    loser = next(r for r in results.values() if isinstance(r, Conflict))
    assert loser.status_code == 409
    offer = RedirectionOffer.objects.get(case=case)
    review = ReferralReview.objects.get(case=case)
    assert (offer.status, review.status) in {("accepted", "redirected"), ("declined", "declined")}
    servicing = AuthorizationRequest.objects.get(pk=case.pk).servicing_practitioner_id
    assert servicing == (heart.near.pk if offer.status == "accepted" else heart.far.pk)
