"""A nurse in Chromium (issue 18, item 2): a realistic synthetic fax is added to the inbox,
a real Celery worker reads it with Tesseract, the nurse opens it from the inbox, finds the
request form pre-filled beside the fax, confirms it, and sees the case with the fax's
receipt time as its clock start."""

import re
import shutil
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AuthorizationRequest, FaxOcr, FaxPrefill, FaxReceipt
from tests import fax_synthetic as synth
from um_portal import timefmt

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed (.ci/run installs it)"),
]


def _wait_read(fax: FaxReceipt, seconds: float = 90) -> FaxOcr:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ocr = FaxOcr.objects.filter(fax=fax).first()
        if ocr is not None and ocr.status not in (FaxOcr.Status.PENDING, FaxOcr.Status.RUNNING):
            return ocr
        time.sleep(0.5)
    raise AssertionError("the worker did not read the fax in time")


def test_nurse_confirms_a_prefilled_fax_and_the_case_clock_starts_at_receipt(
    page, live_server, login, screenshot, celery_worker, nurse, member, surgeon, ortho, tmp_path
):
    day = timezone.localdate() + timedelta(days=21)
    form = replace(
        synth.KNEE,
        member_number=member.member_number,
        member_name=member.name,
        date_of_birth=member.date_of_birth,
        requesting_npi=surgeon.npi,
        servicing_npi=ortho.npi,
        start_date=day,
        end_date=day,
        urgent=False,
    )
    fax_file = tmp_path / "incoming-fax.pdf"
    fax_file.write_bytes(synth.fax_of([form]))

    login("nurse")
    page.click("nav >> text=Fax inbox")
    page.set_input_files("#id_file", str(fax_file))
    page.click("text=Add to the inbox")
    page.wait_for_url(re.compile(r"/cases/faxes/[0-9a-f-]+/$"))
    fax = FaxReceipt.objects.get()
    assert _wait_read(fax).status == FaxOcr.Status.DONE

    page.click("nav >> text=Fax inbox")
    page.click(f"a[href='/cases/faxes/{fax.pk}/']")
    href = page.get_attribute("#fax-key", "href")
    page.goto(live_server.url + href)  # by address: the PDF viewer in the frame may take a click
    expect(page.locator("#fax-ocr-summary")).to_be_visible()
    assert page.input_value("#id_member_number") == member.member_number
    assert "prefilled" in page.get_attribute("#id_member_number", "class")
    assert page.get_attribute("#id_member_number", "data-fax-page") == "1"
    assert page.input_value("#id_member_date_of_birth") == member.date_of_birth.isoformat()
    assert page.input_value("#id_requesting_provider_npi") == surgeon.npi
    assert page.input_value("#id_lines-0-code") == "27447"
    assert page.input_value("#id_lines-0-start_date") == day.isoformat()
    expect(page.locator("#row-member_number")).to_contain_text("Read from the fax, page 1")
    screenshot("fax-ocr-prefilled")

    page.select_option("#id_service_category", "outpatient_procedure")  # not on the fax form
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/\?submitted=1"))
    case = AuthorizationRequest.objects.get()
    assert case.channel == "fax" and case.received_at == fax.received_at
    expect(page.locator("dd", has_text="by Fax")).to_contain_text(timefmt.when(fax.received_at))
    record = FaxPrefill.objects.get(case=case)
    assert record.prefill_kept == record.prefill_fields and len(record.prefill_fields) >= 8
    screenshot("fax-ocr-keyed-case")
