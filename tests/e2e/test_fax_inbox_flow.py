"""A nurse in Chromium (issue 18, item 1): add a fax to the inbox, see its time left, open
it beside "Key this request", key it, and find the case with the fax as its document and
the fax's receipt time as its clock start."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfWriter

from cases.models import AuthorizationRequest, FaxReceipt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_nurse_adds_opens_and_keys_a_fax(page, live_server, login, screenshot, nurse, member, surgeon, ortho, tmp_path):
    login("nurse")
    page.click("nav >> text=Fax inbox")
    fax_file = tmp_path / "incoming.pdf"
    fax_file.write_bytes(_pdf(3))
    page.set_input_files("#id_file", str(fax_file))
    page.fill("#id_sender_fax", "410-555-0199")
    page.click("text=Add to the inbox")
    page.wait_for_url(re.compile(r"/cases/faxes/[0-9a-f-]+/$"))
    fax = FaxReceipt.objects.get()
    assert "left" in page.locator("#fax-time-left").inner_text()
    assert page.locator("#fax-view").is_visible()  # the fax beside the link
    screenshot("fax-detail")

    # Followed by address: a click can land while Chromium's PDF viewer in the frame takes focus.
    href = page.get_attribute("#fax-key", "href")
    assert href == f"/cases/new/?fax={fax.pk}"
    page.goto(live_server.url + href)
    assert page.input_value("#id_channel") == "fax"
    assert page.input_value("#id_received_at") == timezone.localtime(fax.received_at).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_member_number", member.member_number)
    page.fill("#id_member_date_of_birth", member.date_of_birth.isoformat())
    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.fill("#id_servicing_provider_npi", ortho.npi)
    page.select_option("#id_service_category", "outpatient_procedure")
    page.fill("#id_diagnosis_codes", "M17.11")
    page.fill("#id_lines-0-code", "27447")
    page.fill("#id_lines-0-description", "Total knee replacement, right")
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.fill("#id_lines-0-start_date", day)
    page.fill("#id_lines-0-end_date", day)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/\?submitted=1"))

    case = AuthorizationRequest.objects.get()
    assert case.channel == "fax" and case.received_at == fax.received_at
    assert case.attachments.get().file.name == fax.file.name
    assert "incoming.pdf" in page.content()
    screenshot("fax-keyed-case")
    page.click("nav >> text=Fax inbox")
    assert "No faxes waiting." in page.content()
