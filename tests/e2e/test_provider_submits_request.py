"""A provider office in Chromium: log in, check eligibility, submit a request with a PDF,
find it on the dashboard with its reference and due time, open it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AuthorizationRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_provider_checks_eligibility_submits_with_a_pdf_and_follows_it(
    page, live_server, login, screenshot, provider, member, surgeon, ortho, tmp_path
):
    login("provider")

    # Eligibility.
    page.click("nav >> text=Eligibility")
    page.fill("#id_member_number", "M100001")
    page.fill("#id_date_of_birth", "1961-04-02")
    page.click("#eligibility-form button[type=submit]")
    result = page.locator("#eligibility-result")
    assert "eligible" in result.inner_text()
    assert "Alice Marlowe" in result.inner_text()
    screenshot("provider-eligibility")

    # The guided form, prefilled with the member.
    page.click("text=Start a request for this member")
    assert page.input_value("#id_member_number") == "M100001"
    # The form looks the member up on its own (members API, session).
    expect(page.locator("#member-check")).to_contain_text("Alice Marlowe: eligible")
    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.fill("#id_servicing_provider_npi", ortho.npi)
    page.select_option("#id_service_category", "outpatient_procedure")
    assert page.locator("#expedited-reason-row").is_hidden()
    page.check("input[name=urgency][value=expedited]")
    assert page.locator("#expedited-reason-row").is_visible()
    page.fill("#id_expedited_reason", "Rapidly worsening knee instability with falls.")
    page.fill("#id_diagnosis_codes", "M17.11")
    page.fill("#id_lines-0-code", "27447")
    page.fill("#id_lines-0-description", "Total knee replacement, right")
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.fill("#id_lines-0-start_date", day)
    page.fill("#id_lines-0-end_date", day)
    page.fill("#id_clinical_summary", "Severe osteoarthritis; failed six months of conservative care.")
    pdf = tmp_path / "clinic-note.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#id_documents", str(pdf))
    screenshot("provider-submit-form")
    # A double click: the page disables the button, and the form's idempotency token
    # makes the server create one case even if both clicks get through.
    page.dblclick("#submit-button")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/\?submitted=1"))

    case = AuthorizationRequest.objects.get()  # exactly one
    assert case.attachments.get().original_name == "clinic-note.pdf"
    assert case.reference in page.locator("#submitted").inner_text()

    # The dashboard lists it with reference and due time.
    page.click("nav >> text=Requests")
    row = page.locator("#case-list tbody tr", has_text=case.reference)
    assert row.count() == 1
    assert "left" in row.inner_text()
    assert "Expedited" in row.inner_text()
    screenshot("provider-dashboard")

    # Open it.
    row.locator(f"text={case.reference}").click()
    assert page.locator("#case-reference").inner_text() == case.reference
    assert "Received" in page.locator("#case-status").inner_text()
    assert "clinic-note.pdf" in page.locator("#documents").inner_text()
    assert "Request received" in page.locator("#timeline").inner_text()
    screenshot("provider-case-page")
