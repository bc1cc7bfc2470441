"""'Claim next' (issue 22, item 5): the most urgent open case nobody holds, in the work
queue's order; nothing when every workable case has a reviewer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseStatus
from reviews.services.assignment import case_assign, case_claim_next
from um_portal.exceptions import NotAllowed

from .helpers import written

pytestmark = pytest.mark.django_db


def _due(case, hours):
    AuthorizationRequest.objects.filter(pk=case.pk).update(decision_due_at=timezone.now() + timedelta(hours=hours))


def test_claims_in_queue_order_skipping_held_and_pended_cases(make_case, nurse, nurse2, pended):
    later, sooner, held, waiting = make_case(), make_case(), make_case(), make_case()
    _due(later, 48), _due(sooner, 24), _due(held, 1), _due(waiting, 2)
    case_assign(case_id=held.pk, actor=nurse2)
    pended(waiting)

    first = case_claim_next(actor=nurse)
    second = case_claim_next(actor=nurse)
    third = case_claim_next(actor=nurse)

    assert (first.pk, second.pk, third) == (sooner.pk, later.pk, None)
    first.refresh_from_db()
    assert first.assigned_to == nurse and first.status == CaseStatus.IN_REVIEW


def test_a_provider_cannot_claim_and_nothing_is_written(make_case, provider):
    case = make_case()
    before = written(case)

    with pytest.raises(NotAllowed):
        case_claim_next(actor=provider)

    assert written(case) == before


def test_the_queue_button_opens_the_claimed_case(client, make_case, nurse):
    case = make_case()
    client.force_login(nurse)

    assert 'id="claim-next"' in client.get(reverse("reviews:nurse_queue")).content.decode()
    response = client.post(reverse("reviews:claim_next"))
    empty = client.post(reverse("reviews:claim_next"), follow=True)

    assert response.status_code == 302 and response["Location"] == reverse("reviews:case", args=[case.pk])
    assert "Nothing to claim" in empty.content.decode()
