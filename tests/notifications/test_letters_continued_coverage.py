"""Adverse decisions on more days for a member in the hospital (concurrent review, issue 19
item 2) tell the member of continued coverage while an expedited appeal is pending, where
the rule for the line of business gives it; a prior-authorization denial does not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import InpatientStay
from cases.services.stays import stay_review_open
from notifications.letters.texts import CONTINUED_COVERAGE_TEXTS
from notifications.models import Letter
from notifications.services.letters import letters_generate_for_event
from reviews.services.decisions import case_approve
from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_case(make_case, nurse):
    """A request for 3 more days for an inpatient of `line_of_business`, not yet decided."""

    def _make(line_of_business):
        member = MemberFactory()
        CoverageFactory(member=member, line_of_business=line_of_business)
        today = timezone.localdate()
        admission = make_case(
            member=member,
            service_category="inpatient_admission",
            servicing_organization=OrganizationFactory(name="Harbor Test Hospital", kind="hospital"),
            diagnosis_codes=["I50.9"],
            lines=[{"code_system": "CPT", "code": "99223", "units": 2, "start_date": today - timedelta(days=1),
                    "end_date": today}],
        )  # fmt: skip
        case_approve(case_id=admission.pk, actor=nurse)
        stay = InpatientStay.objects.get(case=admission)
        return stay_review_open(stay=stay, actor=nurse, days=3).case

    return _make


def _member_letter_text(event) -> str:
    [letter] = [x for x in letters_generate_for_event(event_id=event.pk) if x.recipient == "member"]
    assert letter.status == Letter.Status.ISSUED, letter.missing
    with letter.pdf.open("rb") as handle:
        return squash(pdf_text(handle.read()))


@pytest.mark.parametrize("line_of_business", ["commercial", "medicaid", "medicare_advantage"])
def test_concurrent_denial_prints_continued_coverage_for_the_line_of_business(review_case, decide, line_of_business):
    case = review_case(line_of_business)
    _, event = decide(case, "denied", reason="Care can continue safely at home with services.")

    text = _member_letter_text(event)

    assert squash(CONTINUED_COVERAGE_TEXTS[line_of_business]) in text
    assert squash("Your hospital care while you appeal") in text


def test_chip_concurrent_denial_says_nothing_of_continued_coverage(review_case, decide):
    case = review_case("chip")
    _, event = decide(case, "denied", reason="Care can continue safely at home with services.")

    text = _member_letter_text(event)

    assert squash("Your hospital care while you appeal") not in text


def test_concurrent_partial_approval_prints_it_too(review_case, decide):
    case = review_case("commercial")
    _, event = decide(case, "partially_approved", reason="One more day is supported, not three.")

    assert squash(CONTINUED_COVERAGE_TEXTS["commercial"]) in _member_letter_text(event)


def test_prior_authorization_denial_has_no_continued_coverage_paragraph(make_case, decide):
    case = make_case()
    _, event = decide(case, "denied", reason="Twelve weeks of therapy first.")

    assert squash("Your hospital care while you appeal") not in _member_letter_text(event)


def test_edited_template_without_it_holds_the_concurrent_denial(review_case, decide, admin_user):
    from notifications.letters.defaults import default_body
    from notifications.models import LetterTemplate

    body = default_body("denial").replace("<p>{{ continued_coverage_text }}</p>", "")
    LetterTemplate.objects.create(kind="denial", version=99, title="Edited", body=body, created_by=admin_user)
    case = review_case("commercial")
    _, event = decide(case, "denied", reason="Care can continue safely at home with services.")

    [letter] = [x for x in letters_generate_for_event(event_id=event.pk) if x.recipient == "member"]

    assert letter.status == Letter.Status.BLOCKED
    assert "continued coverage while an expedited appeal is pending" in letter.missing
