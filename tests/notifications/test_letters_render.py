"""Every letter kind renders to a real PDF that prints each required element's actual value."""

import pytest
from django.utils import timezone

from notifications.contact.models import ContactLine, ContactLineInquiry
from notifications.contact.routing import phone_for
from notifications.letters.context import fmt_date
from notifications.models import Letter
from notifications.services.letters import letters_generate_for_event
from tests.factories import OrganizationFactory, PractitionerFactory

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db

REASON = "The notes show 4 weeks of physical therapy; the criteria ask for at least 12 weeks before a knee replacement."


def _letter(letters, recipient="member") -> Letter:
    [letter] = [x for x in letters if x.recipient == recipient]
    assert letter.status == Letter.Status.ISSUED, letter.missing
    return letter


def _text(letter) -> str:
    with letter.pdf.open("rb") as handle:
        return squash(pdf_text(handle.read()))


def _has(text: str, *values: str) -> None:
    for value in values:
        assert squash(value) in text, f"{value!r} not in the letter"


def _every_letter(text, case, letter_date):
    _has(
        text,
        case.member.name,
        case.member.member_number,
        case.reference,
        "Total knee replacement, right",
        case.requesting_organization.name,
        case.servicing_organization.name,
        fmt_date(letter_date),
        "TTY 711",
        "Free language help is available",
    )


@pytest.fixture
def knee_case(make_case, ma_member):
    def _make(member=None, **kw):
        start = timezone.localdate() + timezone.timedelta(days=14)
        kw.setdefault(
            "lines",
            [
                {
                    "code_system": "CPT",
                    "code": "27447",
                    "description": "Total knee replacement, right",
                    "units": 1,
                    "start_date": start,
                    "end_date": start,
                }
            ],
        )
        return make_case(member=member or ma_member, **kw)

    return _make


def test_denial_prints_reason_criteria_reviewer_phones_and_ma_appeal_deadline(knee_case, decide, physician):
    case = knee_case(servicing_organization=OrganizationFactory(name="Harbor Surgery Center"))
    decision, event = decide(case, "denied", reason=REASON)

    letters = letters_generate_for_event(event_id=event.pk)

    assert sorted(x.recipient for x in letters) == ["member", "requesting_provider", "servicing_provider"]
    letter = _letter(letters)
    text = _text(letter)
    _every_letter(text, case, decision.decided_at)
    deadline = fmt_date(timezone.localdate(decision.decided_at) + timezone.timedelta(days=60))
    _has(
        text,
        REASON,
        "Total knee arthroplasty, version 2026.3",
        f"{physician.get_full_name()}, MD",
        phone_for(inquiry="criteria_copy", line_of_business="medicare_advantage"),
        phone_for(inquiry="adverse_determination", line_of_business="medicare_advantage"),
        "You have 60 calendar days to appeal",
        deadline,
        "fast (expedited) appeal",
    )
    assert "IndependentMedicalReview" not in text
    assert letter.template.version == 1 and len(letter.sha256) == 64 and letter.page_count >= 1


def test_commercial_california_denial_gives_180_days_and_grievance_imr_text(knee_case, decide, ca_member):
    case = knee_case(member=ca_member)
    decision, event = decide(case, "denied", reason=REASON)

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    deadline = fmt_date(timezone.localdate(decision.decided_at) + timezone.timedelta(days=180))
    _has(
        text,
        "You have 180 calendar days to appeal",
        deadline,
        "Independent Medical Review (IMR)",
        "California Department of Managed Health Care",
        "1-888-466-2219",
    )


def test_partial_approval_prints_approved_units_dates_and_reason(knee_case, decide, physician):
    start = timezone.localdate() + timezone.timedelta(days=3)
    case = knee_case(
        lines=[
            {
                "code_system": "HCPCS",
                "code": "G0151",
                "description": "Total knee replacement, right",
                "units": 6,
                "start_date": start,
                "end_date": start + timezone.timedelta(days=30),
            }
        ]
    )
    _, event = decide(case, "partially_approved", reason="Six visits requested; three are supported.")

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    _has(
        text,
        "We approved part of this request",
        "Six visits requested; three are supported.",
        "Approved",
        fmt_date(start),
        fmt_date(start + timezone.timedelta(days=30)),
        f"{physician.get_full_name()}, MD",
    )
    _has(text, "Total knee replacement, right (HCPCS G0151) 3 of 6 units")


def test_approval_prints_services_units_and_valid_dates(knee_case, decide):
    case = knee_case()
    decision, event = decide(case, "approved", basis="")

    letter = _letter(letters_generate_for_event(event_id=event.pk), "requesting_provider")
    text = _text(letter)

    line = case.lines.get()
    _every_letter(text, case, decision.decided_at)
    _has(
        text,
        "Your request is approved",
        f"(CPT 27447) 1 of 1 unit {fmt_date(line.start_date)} {fmt_date(line.end_date)}",
    )


def test_request_for_information_prints_what_by_when_and_criteria(knee_case, pend_case):
    case = knee_case()
    pend, event = pend_case(case)

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    _has(
        text,
        "The last 3 months of physical therapy notes.",
        fmt_date(pend.respond_by),
        "Total knee arthroplasty, version 2026.3",
    )


def test_ma_extension_prints_reason_new_date_and_expedited_grievance(knee_case, extend_case):
    case = knee_case()
    extension, event = extend_case(case)

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    _has(text, extension.reason, fmt_date(extension.new_due_at), "right to file a fast (expedited) grievance")


def test_appeal_decision_prints_outcome_reason_and_appeal_reviewer(knee_case, decide, appeal_decide, physician2):
    case = knee_case()
    decision, _ = decide(case, "denied", reason=REASON)
    appeal, event = appeal_decide(case, decision)

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    _has(text, "Our decision on the appeal: Upheld", appeal.outcome_reason, f"{physician2.get_full_name()}, MD")


def test_provider_letter_names_the_practitioner_and_organization(knee_case, decide, ortho):
    surgeon = PractitionerFactory(organization=ortho, first_name="Grace", last_name="Okafor")
    case = knee_case(requesting_practitioner=surgeon)
    _, event = decide(case, "denied", reason=REASON)

    letter = _letter(letters_generate_for_event(event_id=event.pk), "requesting_provider")

    _has(_text(letter), "Grace Okafor, MD", ortho.name)
    assert letter.recipient_name == f"Grace Okafor, MD, {ortho.name}"


def test_letters_print_the_configured_numbers_not_literals(knee_case, decide, ma_member):
    line = ContactLine.objects.filter(inquiries__inquiry="criteria_copy").get()
    line.phone = "800-555-0142"
    line.save(update_fields=["phone"])
    case = knee_case()
    _, event = decide(case, "denied", reason=REASON)

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    _has(text, "criteria we used, and of the documents we looked at. Call 800-555-0142.")
    # Member Services for a Medicare member: the line's Medicare number (RULES.md section 6).
    _has(text, f"Member Services at {phone_for(inquiry='member_services', line_of_business='medicare_advantage')}")
    assert phone_for(inquiry="member_services", line_of_business="medicare_advantage") == "888-777-5536"


def test_a_letter_whose_phone_line_is_not_configured_is_held(knee_case, decide):
    ContactLineInquiry.objects.filter(inquiry="adverse_determination").delete()
    case = knee_case()
    _, event = decide(case, "denied", reason=REASON)

    letters = letters_generate_for_event(event_id=event.pk)

    assert {x.status for x in letters} == {Letter.Status.BLOCKED}
    assert "phone number for the UM physician" in letters[0].missing


def test_request_for_information_gives_the_fax_number_it_asks_for(knee_case, pend_case):
    """Issue 22, item 8: the number comes from the phone-line configuration (Referral fax)."""
    from notifications.contact.models import ContactLine

    fax = ContactLine.objects.get(key="referral_fax").fax
    case = knee_case()
    _pend, event = pend_case(case)

    text = _text(_letter(letters_generate_for_event(event_id=event.pk)))

    assert fax
    _has(text, f"fax it to us at {fax}")


def test_no_letter_spends_a_page_on_its_footer(knee_case, decide, pend_case):
    """Issue 22, item 8: the language-assistance footer never sits alone on the last page;
    it keeps the body's last block (here, the signature) with it."""
    import io

    from pypdf import PdfReader

    def last_page_without_running_text(letter) -> str:
        with letter.pdf.open("rb") as handle:
            pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(handle.read())).pages]
        if len(pages) == 1:
            return "single page"
        text = pages[-1]
        footer_start = text.find("Help in your language")
        kept = text[:footer_start] if footer_start >= 0 else ""
        return squash(kept.replace(f"Case {letter.case.reference}", ""))

    letters = []
    for outcome in ("approved", "denied"):
        _decision, event = decide(knee_case(), outcome, basis="" if outcome == "approved" else "medical_necessity")
        letters += letters_generate_for_event(event_id=event.pk)
    _pend, event = pend_case(knee_case())
    letters += letters_generate_for_event(event_id=event.pk)

    issued = [letter for letter in letters if letter.status == Letter.Status.ISSUED]
    assert {letter.kind for letter in issued} >= {"approval", "request_for_information"}
    for letter in issued:
        assert last_page_without_running_text(letter), f"{letter.kind} to {letter.recipient}: footer alone"
