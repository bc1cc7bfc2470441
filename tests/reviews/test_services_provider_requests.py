"""Provider request services on the real database: answering a pend recomputes the clocks
from when the information arrived; a withdrawal happens once."""

import pytest

from cases.deadlines.clocks import case_clocks_compute
from cases.models import CaseEvent, CaseStatus
from reviews.services.provider_requests import case_withdraw, pend_answer
from um_portal.exceptions import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


def test_pend_answer_recomputes_clocks_from_the_information(provider, make_case, pended):
    case = make_case()
    pend = pended(case)

    pend_answer(case=case, user=provider, text="Notes attached.")

    case.refresh_from_db()
    pend.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    expected_due, expected_clocks = case_clocks_compute(case=case, information_received_at=pend.responded_at)
    assert (case.decision_due_at, case.clocks) == (expected_due, expected_clocks)
    assert case.events.filter(kind=CaseEvent.Kind.INFORMATION_RECEIVED).count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED, new_value=CaseStatus.IN_REVIEW).count() == 1


def test_second_answer_to_the_same_pend_is_refused(provider, make_case, pended):
    case = make_case()
    pended(case)
    pend_answer(case=case, user=provider, text="Here.")
    with pytest.raises(Conflict):
        pend_answer(case=case, user=provider, text="Again.")


def test_withdraw_twice_is_a_conflict_and_writes_one_event(provider, make_case):
    case = make_case()
    case_withdraw(case=case, user=provider, reason="Not needed.")
    with pytest.raises(Conflict):
        case_withdraw(case=case, user=provider, reason="Not needed.")
    assert case.events.filter(kind=CaseEvent.Kind.WITHDRAWN).count() == 1
    with pytest.raises(ValidationFailed):
        case_withdraw(case=make_case(), user=provider, reason="   ")
