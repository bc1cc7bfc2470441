"""Keying a fax with its OCR pre-fill (issue 18, item 2): the fax beside the staff request
form, fields pre-filled and marked with their page, the same intake service on submit, and
a record of which pre-filled fields the nurse kept. The OCR results here come from page
texts (cases.services.fax_ocr.fax_pages_understand), so these tests need no Tesseract."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest, FaxOcr, FaxPrefill, FaxReceipt
from cases.services.fax_ocr import fax_pages_understand, fax_prefill_accuracy
from um_portal.models import AccessLog

from .test_fax_inbox import _pdf, _receive
from .test_pages_provider import _form

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _page(member, surgeon, ortho, start, *, urgent=False, title=True) -> str:
    return "\n".join(
        [
            "From: Harbor Orthopedic Fax: 410-555-0142 To: UM Intake 800-660-2019",
            "PRIOR AUTHORIZATION REQUEST" if title else "Clinical notes",
            f"Member name: {member.name} Member ID: {member.member_number}",
            f"Date of birth: {member.date_of_birth:%m/%d/%Y}",
            f"Requesting provider NPI: {surgeon.npi} Servicing provider NPI: {ortho.npi}",
            f"Diagnosis (ICD-10): M17.11, M25.561 | Urgency: {'EXPEDITED' if urgent else 'Standard'}",
            "CPT/HCPCS code: 27447 Total knee arthroplasty, right",
            f"Date of service from: {start:%m/%d/%Y} to: {start:%m/%d/%Y}",
        ]
    )


def _read(fax: FaxReceipt, pages: list[tuple[int, str]]) -> None:
    requests, follow_up = fax_pages_understand(pages)
    FaxOcr.objects.filter(fax=fax).update(
        status=FaxOcr.Status.DONE, requests=requests, follow_up=follow_up, pages=[{"page": n} for n, _ in pages]
    )


@pytest.fixture
def start():
    return timezone.localdate() + timedelta(days=20)


def test_the_keying_page_prefills_each_field_with_its_page_beside_the_fax(client, nurse, member, surgeon, ortho, start):
    fax = _receive(nurse, _pdf(2))
    _read(fax, [(1, "Cover sheet"), (2, _page(member, surgeon, ortho, start))])
    client.force_login(nurse)
    html = client.get(f"/cases/new/?fax={fax.pk}").content.decode()
    assert f'value="{member.member_number}"' in html and f'value="{member.date_of_birth.isoformat()}"' in html
    assert f'value="{surgeon.npi}"' in html and f'value="{ortho.npi}"' in html
    assert 'value="M17.11, M25.561"' in html and 'value="27447"' in html and f'value="{start.isoformat()}"' in html
    assert "Read from the fax, page 2 (a member of the plan): check it against the fax." in html
    assert 'class="prefilled" data-fax-page="2"' in html or 'data-fax-page="2"' in html
    assert f'id="fax-beside" title="The fax" src="/cases/faxes/{fax.pk}/file/?inline=1#page=1"' in html
    assert "Could not read" not in html
    assert AccessLog.objects.filter(object_kind="fax", object_id=str(fax.pk), how="page").count() == 1


def test_confirming_the_prefill_keys_the_case_and_records_every_field_kept(
    client, nurse, member, surgeon, ortho, start
):
    received = timezone.now() - timedelta(hours=2, seconds=9)
    fax = _receive(nurse, _pdf(1), received_at=received)
    _read(fax, [(1, _page(member, surgeon, ortho, start))])
    client.force_login(nurse)
    client.get(f"/cases/new/?fax={fax.pk}")
    data = _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk), fax_request="0")
    data.update({"lines-0-start_date": start.isoformat(), "lines-0-end_date": start.isoformat()})
    response = client.post("/cases/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = AuthorizationRequest.objects.get()
    assert (case.channel, case.received_at) == ("fax", received)
    assert case.attachments.order_by("uploaded_at").first().sha256 == fax.sha256
    record = FaxPrefill.objects.get(case=case)
    assert record.fax_id == fax.pk and record.request_index == 0
    assert set(record.prefill_fields) == {
        "member_number",
        "member_date_of_birth",
        "requesting_provider_npi",
        "servicing_provider_npi",
        "diagnosis_codes",
        "urgency",
        "lines-0-code",
        "lines-0-start_date",
        "lines-0-end_date",
    }
    assert record.prefill_kept == record.prefill_fields
    assert fax_prefill_accuracy() == (9, 9)


def test_a_corrected_field_is_not_counted_as_kept(client, nurse, member, surgeon, ortho, start):
    fax = _receive(nurse, _pdf(1))
    _read(fax, [(1, _page(member, surgeon, ortho, start))])
    client.force_login(nurse)
    data = _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk), fax_request="0")
    later = start + timedelta(days=1)
    data.update({"lines-0-start_date": later.isoformat(), "lines-0-end_date": later.isoformat(), "urgency": "standard"})
    data["diagnosis_codes"] = "M17.11"
    assert client.post("/cases/new/", data).status_code == 302
    record = FaxPrefill.objects.get()
    dropped = set(record.prefill_fields) - set(record.prefill_kept)
    assert dropped == {"diagnosis_codes", "lines-0-start_date", "lines-0-end_date"}
    assert fax_prefill_accuracy() == (6, 9)


def test_a_fax_with_two_requests_keys_each_from_its_own_pages(client, nurse, member, surgeon, ortho, start, make_case):
    other = make_case().member
    fax = _receive(nurse, _pdf(4))
    pages = [
        (1, _page(member, surgeon, ortho, start)),
        (2, "Clinical notes"),
        (3, _page(other, surgeon, ortho, start, urgent=True)),
        (4, "Clinical notes"),
    ]
    _read(fax, pages)
    client.force_login(nurse)
    first = client.get(f"/cases/new/?fax={fax.pk}").content.decode()
    assert "This fax holds 2 requests" in first and "Request 2 (pages 3–4)" in first
    second = client.get(f"/cases/new/?fax={fax.pk}&request=1").content.decode()
    assert f'value="{other.member_number}"' in second and "#page=3" in second
    assert 'name="fax_request" value="1"' in second
    for index, who in enumerate((member, other)):
        data = _form(who, surgeon, ortho, token=f"form-{index}", channel="fax", fax_receipt=str(fax.pk))
        data.update({"fax_request": str(index), "urgency": "expedited" if index else "standard"})
        data.update({"lines-0-start_date": start.isoformat(), "lines-0-end_date": start.isoformat()})
        if index:
            data["expedited_reason"] = "Waiting could seriously jeopardize function."
        assert client.post("/cases/new/", data).status_code == 302
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.KEYED and fax.cases.count() == 2
    assert sorted(FaxPrefill.objects.values_list("request_index", flat=True)) == [0, 1]


def test_a_follow_up_fax_links_to_the_case_it_names(client, nurse, make_case):
    case = make_case()
    fax = _receive(nurse, _pdf(1))
    _read(
        fax, [(1, f"Additional clinical information\nRe: case {case.reference}, member ID {case.member.member_number}")]
    )
    client.force_login(nurse)
    html = client.get(f"/cases/new/?fax={fax.pk}").content.decode()
    assert f'href="/cases/{case.pk}/">{case.reference}</a>: this fax may be a follow-up' in html
    assert 'id="fax-attach-link"' in html


def test_without_tesseract_the_page_says_prefill_is_off_and_keying_works_as_before(
    client, nurse, member, surgeon, ortho, settings
):
    settings.TESSERACT_CMD = "/nonexistent/tesseract"
    fax = _receive(nurse, _pdf(1))
    client.force_login(nurse)
    html = client.get(f"/cases/new/?fax={fax.pk}").content.decode()
    assert "OCR pre-fill is off: Tesseract is not installed. Key the request from the fax." in html
    assert 'class="prefilled"' not in html and 'name="member_number" maxlength="20" required' in html.replace(
        ' id="id_member_number"', ""
    )
    data = _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk))
    assert client.post("/cases/new/", data).status_code == 302
    assert AuthorizationRequest.objects.get().channel == "fax" and not FaxPrefill.objects.exists()


def test_a_form_shown_again_keeps_the_fax_beside_it(client, nurse, member, surgeon, ortho, start):
    fax = _receive(nurse, _pdf(1))
    _read(fax, [(1, _page(member, surgeon, ortho, start))])
    client.force_login(nurse)
    data = _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk), fax_request="0", member_number="")
    response = client.post("/cases/new/", data)
    assert response.status_code == 400
    assert 'id="fax-beside"' in response.content.decode()


def test_the_fax_page_says_prefill_is_off_without_tesseract(client, nurse, settings):
    settings.TESSERACT_CMD = "/nonexistent/tesseract"
    fax = _receive(nurse, _pdf(1))
    client.force_login(nurse)
    html = client.get(f"/cases/faxes/{fax.pk}/").content.decode()
    assert "OCR pre-fill is off: Tesseract is not installed. Key the request from the fax." in html


def test_the_fax_page_says_what_was_read(client, nurse, member, surgeon, ortho, start, make_case):
    case = make_case()
    fax = _receive(nurse, _pdf(3))
    _read(fax, [(1, _page(member, surgeon, ortho, start)), (2, f"Re: case {case.reference}"), (3, "notes")])
    client.force_login(nurse)
    html = client.get(f"/cases/faxes/{fax.pk}/").content.decode()
    assert "Read for pre-fill: 1 request found (pages 1–3)." in html
    assert f'id="fax-ocr-follow-up">{case.reference}</a>' in html
