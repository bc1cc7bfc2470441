"""The review services' decisions reach the letters: their events are dispatched after the
commit, and the letters print what the reviewer decided."""

import pytest

from cases.models import CaseEvent
from notifications.models import Letter
from notifications.services.letters import letters_generate_for_event
from notifications.task_names import LETTERS_GENERATE_FOR_EVENT, PROVIDER_NOTICES_FOR_EVENT
from reviews.services.decisions import case_approve, case_deny
from reviews.services.worksheets import worksheet_save
from tests.conftest import PASSWORD
from tests.tasks_sent import tasks_sent

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def test_approval_by_the_review_service_enqueues_letters_after_commit(
    make_case, nurse, tka_criteria, django_capture_on_commit_callbacks
):
    case = make_case()
    with tasks_sent() as sent:
        with django_capture_on_commit_callbacks(execute=True):
            case_approve(case_id=case.pk, actor=nurse, criteria_ids=[tka_criteria.pk])
            assert sent == []  # not before the commit

    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.DECISION_RECORDED)
    # The letters, and the provider office's notice (issue 22, item 2).
    assert sent == [(LETTERS_GENERATE_FOR_EVENT, (event.pk,)), (PROVIDER_NOTICES_FOR_EVENT, (event.pk,))]
    letters = letters_generate_for_event(event_id=event.pk)
    assert {(x.kind, x.status) for x in letters} == {("approval", "issued")}


def test_signed_medical_necessity_denial_letter_prints_the_physician_and_criteria(make_case, physician, tka_criteria):
    case = make_case()
    reason = "Only 4 weeks of physical therapy are documented; the criteria require 12 weeks."
    worksheet_save(case_id=case.pk, actor=physician, answers=[
        {"criteria_id": tka_criteria.pk, "index": 0, "answer": "not_met", "note": "4 weeks of PT in the notes."},
        {"criteria_id": tka_criteria.pk, "index": 1, "answer": "not_documented"},
    ])  # fmt: skip
    case_deny(reason_code="MN01", case_id=case.pk, actor=physician, basis="medical_necessity", reason=reason,
              criteria_ids=[tka_criteria.pk], password=PASSWORD)  # fmt: skip
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.DECISION_RECORDED)

    letters = letters_generate_for_event(event_id=event.pk)

    member_letter = next(x for x in letters if x.recipient == Letter.Recipient.MEMBER)
    assert member_letter.status == "issued", member_letter.missing
    with member_letter.pdf.open("rb") as f:
        text = squash(pdf_text(f.read()))
    for value in (
        reason,
        f"{physician.get_full_name()}, MD",
        "Total knee arthroplasty, version 2026.3",
        "Twelve weeks of physical therapy did not help (Total knee arthroplasty)",
        "Records that show: X-rays show severe arthritis",
    ):
        assert squash(value) in text, value


def test_extension_by_the_clock_service_sends_the_ma_extension_letter(make_case, nurse, ma_member, tka_criteria):
    from reviews.services.extensions import case_extend

    case = make_case(member=ma_member)
    extension = case_extend(case_id=case.pk, actor=nurse, ground="outside_information",
                            reason="We asked the surgeon's office for the knee X-ray report.")  # fmt: skip
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.EXTENDED)

    letters = letters_generate_for_event(event_id=event.pk)

    member_letter = next(x for x in letters if x.recipient == Letter.Recipient.MEMBER)
    assert member_letter.status == "issued", member_letter.missing
    with member_letter.pdf.open("rb") as f:
        text = squash(pdf_text(f.read()))
    for value in (extension.reason, "right to file a fast (expedited) grievance"):
        assert squash(value) in text, value
