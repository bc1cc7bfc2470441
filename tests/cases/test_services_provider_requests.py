"""Provider request services on the real database: answering a pend recomputes the clocks
from when the information arrived; filenames are sanitized."""

import pytest

from cases.models import CaseEvent, CaseStatus
from cases.services.attachments import attachment_name_sanitize
from cases.services.provider_requests import case_withdraw, pend_answer
from reviews.clocks import case_clocks_compute
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


@pytest.mark.parametrize(
    ("given", "extension", "expected"),
    [
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Knee X-ray (left).JPG", "jpg", "Knee X-ray _left.jpg"),
        ("évaluation clinique.pdf", "pdf", "evaluation clinique.pdf"),
        ("malware.exe", "png", "malware.png"),
        ("", "tif", "document.tif"),
        ("...", "pdf", "document.pdf"),
        ("a" * 300 + ".pdf", "pdf", "a" * 115 + ".pdf"),
    ],
)
def test_filenames_are_sanitized_and_take_the_detected_extension(given, extension, expected):
    assert attachment_name_sanitize(given, extension=extension) == expected
