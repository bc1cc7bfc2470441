"""Faxes out (issue 18, item 3): a fax-only office gets its letters by fax in the operations
queue, with a cover sheet (WeasyPrint, read back) that names the case reference and holds
no other PHI."""

import io
import re
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from notifications.models import LetterDelivery
from notifications.services.fax_cover import fax_cover_sheet_pdf
from notifications.services.letters import letters_generate_for_event

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    # pdftotext (poppler) reads the PDF as a recipient's fax machine would print it.
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def fax_only_letters(make_case, decide, imaging, provider):
    # The requesting office (ortho, with a portal user who has an e-mail) is fax-only.
    ortho = provider.organization
    ortho.fax, ortho.fax_only = "410-555-0142", True
    ortho.save(update_fields=["fax", "fax_only"])
    case = make_case(servicing_organization=imaging)
    _, event = decide(case, "approved", basis="")
    return case, {x.recipient: x for x in letters_generate_for_event(event_id=event.pk)}


def test_a_fax_only_office_gets_its_letter_by_fax_and_no_email_notice(fax_only_letters, provider):
    case, letters = fax_only_letters
    assert provider.email  # it has a portal user with an e-mail, and still no notice
    rows = sorted(
        LetterDelivery.objects.filter(letter=letters["requesting_provider"]).values_list("channel", "destination")
    )
    assert rows == [("fax", "410-555-0142"), ("portal", "")]


def test_an_office_with_portal_users_still_gets_the_email_notice(make_case, decide, provider):
    ortho = provider.organization
    ortho.fax = "410-555-0142"
    ortho.save(update_fields=["fax"])
    case = make_case()
    _, event = decide(case, "approved", basis="")
    letter = next(x for x in letters_generate_for_event(event_id=event.pk) if x.recipient == "requesting_provider")
    assert sorted(LetterDelivery.objects.filter(letter=letter).values_list("channel", flat=True)) == [
        "email",
        "fax",
        "portal",
    ]


def test_the_cover_sheet_names_the_case_and_holds_no_other_phi(fax_only_letters):
    case, letters = fax_only_letters
    delivery = LetterDelivery.objects.get(letter=letters["requesting_provider"], channel="fax")

    pdf = fax_cover_sheet_pdf(delivery=delivery)

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _text(pdf)
    assert case.reference in text and "Ortho Test Associates" in text and "410-555-0142" in text
    assert f"{letters['requesting_provider'].page_count + 1}, this cover sheet included" in text
    member = case.member
    for phi in (
        member.first_name,
        member.last_name,
        member.member_number,
        member.date_of_birth.strftime("%m/%d/%Y"),
        member.date_of_birth.isoformat(),
        "27447",
        "M17.11",
        "knee",
        "approved",
        "Approved",
    ):
        # Whole words: a generated first name such as "Al" is inside "Total".
        assert not re.search(rf"\b{re.escape(phi)}\b", text), phi


def test_the_queue_pdf_puts_each_fax_behind_its_cover_sheet(client, admin_user, fax_only_letters):
    case, letters = fax_only_letters
    delivery = LetterDelivery.objects.get(letter=letters["requesting_provider"], channel="fax")
    client.force_login(admin_user)
    url = reverse("admin:notifications_letterdelivery_changelist")
    assert str(delivery.pk) in client.get(url + "?channel__exact=fax").content.decode()

    response = client.post(url, {"action": "export_pdf", "_selected_action": [str(delivery.pk)]})

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1 + letters["requesting_provider"].page_count
    assert "Fax" in reader.pages[0].extract_text() and case.reference in reader.pages[0].extract_text()
    assert case.member.last_name in reader.pages[1].extract_text()  # the letter itself follows
