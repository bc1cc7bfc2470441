"""OCR pre-fill of faxes (issue 18, item 2): the run and its claim, OCR off without
Tesseract, the readers on page texts, and real OCR of realistic synthetic faxes (a filled
request form rendered with WeasyPrint, rasterized at 204x196 dpi black and white, skewed
and noised; tests/fax_synthetic.py)."""

import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import FaxOcr, FaxReceipt
from cases.ocr.extract import icd10_repair, procedure_repair, request_read, requests_split
from cases.services.fax import fax_receipt_receive
from cases.services.fax_ocr import OCR_OFF_MESSAGE, fax_ocr_run, fax_pages_understand, fax_prefill
from cases.task_names import FAX_OCR_RUN
from tests import fax_synthetic as synth
from tests.factories import MemberFactory, PractitionerFactory
from tests.tasks_sent import tasks_sent

pytestmark = [pytest.mark.django_db]

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng; .ci/run does)",
)


def _receive(user, content: bytes, name: str = "fax.pdf") -> FaxReceipt:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return fax_receipt_receive(user=user, upload=upload, source=FaxReceipt.Source.UPLOAD)


@pytest.fixture(scope="session")
def faxes():
    """Rendered once per session: the faxes the OCR tests read."""
    cache: dict[str, bytes] = {}

    def get(name: str) -> bytes:
        if name not in cache:
            cache[name] = {
                "knee_clean_pdf": lambda: synth.fax_of([synth.KNEE]),
                "mri_clean_tiff": lambda: synth.fax_of([synth.MRI], kind="tiff"),
                "knee_noisy_pdf": lambda: synth.fax_of([synth.KNEE], skew=1.5, noise=0.02),
                "two_requests": lambda: synth.fax_of(
                    [_with_notes(synth.KNEE, 5), synth.MRI]  # 6 + 6 = 12 pages
                ),
            }[name]()
        return cache[name]

    return get


def _with_notes(form, pages):
    from dataclasses import replace

    return replace(form, notes_pages=pages)


# --- the run ---------------------------------------------------------------------------


def test_filing_a_fax_asks_for_its_ocr_once_the_fax_is_stored(nurse, django_capture_on_commit_callbacks):
    with tasks_sent() as sent, django_capture_on_commit_callbacks(execute=True):
        fax = _receive(nurse, synth.to_pdf([synth.rasterize(synth.pdf_from_html("<p>x</p>"))[0]]))
    assert sent == [(FAX_OCR_RUN, (str(fax.pk),))]
    assert FaxOcr.objects.get(fax=fax).status == FaxOcr.Status.PENDING


def test_a_rejected_fax_is_not_read(nurse, django_capture_on_commit_callbacks):
    with tasks_sent() as sent, django_capture_on_commit_callbacks(execute=True):
        fax = _receive(nurse, b"not a fax at all", "fax.txt")
    assert fax.status == FaxReceipt.Status.REJECTED
    assert sent == [] and not FaxOcr.objects.filter(fax=fax).exists()


def test_without_tesseract_the_run_and_the_prefill_say_pre_fill_is_off(nurse, settings):
    settings.TESSERACT_CMD = "/nonexistent/tesseract"
    fax = _receive(nurse, synth.to_pdf([synth.rasterize(synth.pdf_from_html("<p>x</p>"))[0]]))
    assert fax_ocr_run(fax_id=fax.pk) == "off"
    ocr = FaxOcr.objects.get(fax=fax)
    assert (ocr.status, ocr.message) == (FaxOcr.Status.OFF, "OCR pre-fill is off: Tesseract is not installed")
    prefill = fax_prefill(fax=fax)
    assert prefill.message == OCR_OFF_MESSAGE and not prefill.on and prefill.initial == {}
    # Run again (a redelivered message): nothing to claim, nothing changes.
    assert fax_ocr_run(fax_id=fax.pk) == "already read"


def test_a_fax_never_sent_to_ocr_says_pre_fill_is_off_where_tesseract_is_missing(nurse, settings):
    fax = _receive(nurse, synth.to_pdf([synth.rasterize(synth.pdf_from_html("<p>x</p>"))[0]]))
    FaxOcr.objects.filter(fax=fax).delete()
    settings.TESSERACT_CMD = "/nonexistent/tesseract"
    assert fax_prefill(fax=fax).message == OCR_OFF_MESSAGE


@needs_tesseract
def test_the_run_is_safe_twice_and_a_stale_claim_is_taken_again(nurse, faxes):
    fax = _receive(nurse, faxes("knee_clean_pdf"))
    assert fax_ocr_run(fax_id=fax.pk) == "done"
    first = FaxOcr.objects.get(fax=fax)
    assert fax_ocr_run(fax_id=fax.pk) == "already read"
    assert FaxOcr.objects.get(fax=fax).finished_at == first.finished_at
    assert first.engine.startswith("tesseract ") and [p["page"] for p in first.pages] == [1, 2]


# --- the readers, on page texts (no OCR) ---------------------------------------------


def test_glyphs_are_repaired_only_where_the_format_says_which_they_must_be():
    assert icd10_repair("M17. il") == "M17.11"
    assert icd10_repair("M1711") == "M17.11"
    assert icd10_repair("MI7.11") == "M17.11"
    assert icd10_repair("ICD") is None
    assert procedure_repair("2744T") == ("CPT", "2744T")
    assert procedure_repair("EO6O1") == ("HCPCS", "E0601")
    assert procedure_repair("274A7") == ("CPT", "27447")  # A reads as 4 in a digit position


def test_an_npi_with_a_wrong_check_digit_is_reported_not_filled():
    read = request_read([(2, "PRIOR AUTHORIZATION REQUEST\nRequesting provider NPI: 1234567890")])
    assert "npis" not in read.fields
    assert read.problems == [
        {"field": "npi", "page": 2, "text": "1234567890", "message": "1234567890 fails the NPI check digit"}
    ]


def test_phone_numbers_are_not_npis_and_the_plans_own_fax_is_not_the_sender():
    read = request_read([(1, "From: Office Fax: 410-555-0142 To: UM Intake 800-660-2019\nCall 4105550142 today")])
    assert "npis" not in read.fields
    assert [c.value for c in read.fields["sender_fax"]] == ["4105550142"]


def test_zip_codes_are_not_procedure_codes_unless_our_tables_know_them(db):
    requests, _ = fax_pages_understand([(1, "PRIOR AUTHORIZATION REQUEST\nBaltimore, MD 21201\nCPT code: 27447")])
    assert requests[0]["lines"] == [{"code_system": "CPT", "code": "27447", "page": 1}]


def test_pages_split_into_requests_at_each_request_form_a_cover_sheet_joins_the_first():
    pages = [
        (1, "FAX COVER SHEET\nTo: UM intake"),
        (2, "PRIOR AUTHORIZATION REQUEST\nMember ID: M1"),
        (3, "Clinical notes"),
        (4, "Prior Authorization Request\nMember ID: M2"),
        (5, "Clinical notes"),
    ]
    assert [[n for n, _ in group] for group in requests_split(pages)] == [[1, 2, 3], [4, 5]]


def test_urgency_words_make_it_expedited_a_printed_choice_of_both_does_not():
    assert [c.value for c in request_read([(1, "Urgency: Standard")]).fields["urgency"]] == ["standard"]
    assert [c.value for c in request_read([(3, "URGENT: surgery next week")]).fields["urgency"]] == ["expedited"]
    assert "urgency" not in request_read([(1, "[ ] Standard [ ] Expedited")]).fields


# --- real OCR of realistic synthetic faxes -------------------------------------------


def _score(request: dict, truth: dict) -> tuple[list, list]:
    found = [name for name, value in truth.items() if request["fields"].get(name, {}).get("value") == value]
    missed = [name for name in truth if name not in found]
    return found, missed


@needs_tesseract
@pytest.mark.parametrize(("name", "form"), [("knee_clean_pdf", synth.KNEE), ("mri_clean_tiff", synth.MRI)])
def test_a_clean_fax_prefills_at_least_90_percent_of_the_fields_each_with_its_page(nurse, faxes, name, form):
    MemberFactory(member_number=form.member_number, date_of_birth=form.date_of_birth)
    PractitionerFactory(npi=form.requesting_npi)
    fax = _receive(nurse, faxes(name), "fax.pdf" if name.endswith("pdf") else "fax.tif")
    assert fax_ocr_run(fax_id=fax.pk) == "done"
    ocr = FaxOcr.objects.get(fax=fax)
    assert len(ocr.requests) == 1
    request = ocr.requests[0]
    found, missed = _score(request, synth.truth(form))
    assert len(found) / len(synth.truth(form)) >= 0.9, f"missed {missed}: {request['fields']}"
    assert all(field["page"] == 1 for field in request["fields"].values())
    assert request["fields"]["member_number"]["known"] is True
    assert request["fields"]["member_date_of_birth"]["note"] == "matches the member"
    assert request["fields"]["requesting_provider_npi"]["known"] is True
    prefill = fax_prefill(fax=fax)
    assert prefill.initial["member_number"] == form.member_number and prefill.pages["member_number"] == 1
    assert prefill.line_initial[0]["code"] == form.procedure_code


@needs_tesseract
def test_a_noisy_skewed_fax_reports_what_it_could_not_read(nurse, faxes):
    fax = _receive(nurse, faxes("knee_noisy_pdf"))
    assert fax_ocr_run(fax_id=fax.pk) == "done"
    request = FaxOcr.objects.get(fax=fax).requests[0]
    found, missed = _score(request, synth.truth(synth.KNEE))
    # Every field missed is named: unread, a problem (an NPI failing its check digit), or
    # read but flagged as unknown to our tables (a misread code) for the nurse to check.
    reported = set(request["unread"]) | {p["field"] for p in request["problems"]}
    if "npi" in reported:
        reported |= {"requesting_provider_npi", "servicing_provider_npi"}
    assert missed, "the noise is meant to defeat some fields"
    for name in missed:
        value = request["fields"].get(name)
        assert name in reported or (value is not None and value["known"] is False), (name, request)
    assert found, "some fields still read"


@needs_tesseract
def test_a_twelve_page_fax_with_two_requests_prefills_each(nurse, faxes):
    fax = _receive(nurse, faxes("two_requests"))
    assert fax.pages == 12
    assert fax_ocr_run(fax_id=fax.pk) == "done"
    ocr = FaxOcr.objects.get(fax=fax)
    assert [r["pages"] for r in ocr.requests] == [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]
    for request, form in zip(ocr.requests, (synth.KNEE, synth.MRI), strict=True):
        found, missed = _score(request, synth.truth(form))
        assert len(found) >= 9, missed
    second = fax_prefill(fax=fax, request_index=1)
    assert second.initial["member_number"] == "M200417" and second.pages["member_number"] == 7


@needs_tesseract
def test_a_follow_up_fax_names_the_case_it_answers(nurse, make_case):
    case = make_case()
    content = synth.fax_of([synth.follow_up_html(reference=case.reference, member_number=case.member.member_number)])
    fax = _receive(nurse, content)
    assert fax_ocr_run(fax_id=fax.pk) == "done"
    follow_up = FaxOcr.objects.get(fax=fax).follow_up
    assert follow_up == {"reference": case.reference, "page": 1, "case_id": str(case.pk)}
    assert fax_prefill(fax=fax).follow_up == follow_up


def test_the_task_is_registered_under_the_name_services_send():
    from cases import tasks

    assert tasks.fax_ocr_task.name == FAX_OCR_RUN
