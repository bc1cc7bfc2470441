"""A letter missing a required element is held, never issued; the case shows what is missing
and the UM administrators are told."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from notifications.letters.defaults import default_body
from notifications.models import Letter, LetterDelivery, Notification
from notifications.services.letters import letters_generate_for_event
from notifications.services.templates import letter_template_revise
from notifications.task_names import LETTER_ISSUE
from tests.tasks_sent import tasks_sent

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def test_denial_with_empty_reason_is_held_and_the_case_shows_the_missing_element(
    make_case, decide, admin_user, nurse, client
):
    case = make_case()
    _, event = decide(case, "denied", reason="   ")

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.BLOCKED}
    assert all("specific reason" in x.missing for x in letters)
    assert not any(x.pdf for x in letters) and not LetterDelivery.objects.exists()
    blocked = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LETTER_BLOCKED)
    assert blocked.count() == 2 and "specific reason" in blocked.first().message
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LETTER_ISSUED).exists()
    notice = Notification.objects.get(user=admin_user, kind=Notification.Kind.LETTER_BLOCKED, case=case)
    assert case.reference in notice.message and "specific reason" in notice.message
    assert not Notification.objects.filter(user=nurse).exists()

    client.force_login(nurse)
    page = client.get(reverse("notifications:case_letters", args=[case.pk])).content.decode()
    assert "Held" in page and "Missing: specific reason" in page
    review_page = client.get(reverse("reviews:case", args=[case.pk])).content.decode()
    assert "Missing: specific reason" in review_page


def test_provider_does_not_see_held_letters_or_what_is_missing(make_case, decide, provider, client):
    case = make_case()
    _, event = decide(case, "denied", reason="")
    letters_generate_for_event(event_id=event.pk)

    client.force_login(provider)
    page = client.get(reverse("notifications:case_letters", args=[case.pk])).content.decode()

    assert "Missing" not in page and "No letters yet." in page


def test_denial_without_criteria_on_medical_necessity_is_held(make_case, decide):
    case = make_case()
    _, event = decide(case, "denied", reason="Not enough therapy.", criteria=False)

    letters = letters_generate_for_event(event_id=event.pk)

    assert all(x.missing == ["criteria name and version"] for x in letters)


def test_template_that_drops_a_required_value_holds_the_letter(make_case, decide, admin_user):
    body = default_body("denial").replace("{{ reviewer_name }}, {{ reviewer_credentials }}", "our staff")
    letter_template_revise(kind="denial", title="We cannot approve this request", body=body, actor=admin_user)
    case = make_case()
    _, event = decide(case, "denied", reason="Not enough therapy.")

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.BLOCKED}
    assert letters[0].missing == ["reviewer name", "reviewer credentials"]
    assert letters[0].template.version == 2


def test_benefit_denial_needs_no_clinical_criteria_but_states_its_basis(make_case, decide, nurse):
    case = make_case()
    _, event = decide(
        case,
        "denied",
        reason="Cosmetic surgery is excluded by your plan.",
        basis="benefit",
        reviewer=nurse,
        criteria=False,
    )

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.ISSUED}, [x.missing for x in letters]


def test_administrator_puts_a_held_letter_back_in_line_after_fixing_the_template(
    make_case, decide, admin_user, client, django_capture_on_commit_callbacks
):
    from notifications.services.letters import letter_issue

    body = default_body("approval").replace("{{ s.approved_text }}", "as asked")
    letter_template_revise(kind="approval", title="Approved", body=body, actor=admin_user)
    case = make_case()
    _, event = decide(case, "approved", basis="")
    held = letters_generate_for_event(event_id=event.pk)
    assert {x.status for x in held} == {Letter.Status.BLOCKED}
    letter_template_revise(kind="approval", title="Approved", body=default_body("approval"), actor=admin_user)
    client.force_login(admin_user)

    with tasks_sent() as sent:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:notifications_letter_changelist"),
                {"action": "retry_held", "_selected_action": [str(x.pk) for x in held]},
            )
    assert sorted(sent) == sorted((LETTER_ISSUE, (str(x.pk),)) for x in held)
    for letter in held:
        letter_issue(letter_id=letter.pk)
        letter.refresh_from_db()
        assert (letter.status, letter.missing, letter.template.version) == ("issued", [], 3)


def test_denial_prints_the_coded_reason_for_members(make_case, decide):
    case = make_case()
    _, event = decide(case, "denied", reason="Only 4 weeks of therapy.")

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.ISSUED}
    for letter in letters:
        with letter.pdf.open("rb") as handle:
            assert squash("do not show that you need this care now") in squash(pdf_text(handle.read()))


def test_denial_without_a_coded_reason_is_held(make_case, decide):
    case = make_case()
    decision, event = decide(case, "denied", reason="Only 4 weeks of therapy.")
    type(decision).objects.filter(pk=decision.pk).update(coded_reason=None)

    letters = letters_generate_for_event(event_id=event.pk)

    assert all(x.missing == ["coded reason in plain language"] for x in letters)


def test_medical_necessity_denial_without_unmet_criteria_in_the_worksheet_is_held(make_case, decide):
    case = make_case()
    _, event = decide(case, "denied", reason="Only 4 weeks of therapy.", finding="met")

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.BLOCKED}
    assert all(x.missing == ["unmet criteria or missing documentation"] for x in letters)


def test_benefit_denial_needs_no_worksheet(make_case, decide):
    case = make_case()
    _, event = decide(case, "denied", reason="Cosmetic surgery is excluded.", basis="benefit")

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.ISSUED}
