"""The request form in Chromium (issue 22, item 3): one submit lists every problem in a
summary that takes focus and whose links move focus to each field; the file to attach
again is named; the member check shows the answer to the latest question only."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CoverageFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_every_problem_at_once_with_links_that_focus_each_field(
    page, live_server, login, screenshot, provider, member, surgeon, tmp_path
):
    login("provider")
    page.goto(f"{live_server.url}/cases/new/")
    assert page.input_value("#id_service_category") == ""  # starts blank
    page.fill("#id_member_number", member.member_number)
    page.fill("#id_member_date_of_birth", member.date_of_birth.isoformat())
    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.fill("#id_servicing_provider_npi", "1234567890")
    page.fill("#id_diagnosis_codes", "M17.11")
    page.fill("#id_lines-0-code", "27447")
    day = timezone.localdate() + timedelta(days=30)
    page.fill("#id_lines-0-start_date", day.isoformat())
    page.fill("#id_lines-0-end_date", (day - timedelta(days=2)).isoformat())
    pdf = tmp_path / "clinic-note.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#id_documents", str(pdf))
    page.click("#submit-button")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    text = summary.inner_text()
    for problem in (
        "Service category",
        "not a valid NPI",
        "Line 1: the end date",
        "Re-attach 1 file (clinic-note.pdf)",
    ):
        assert problem in text, problem
    screenshot("provider-request-form-error-summary")
    for field in ("id_service_category", "id_servicing_provider_npi", "id_lines-0-code", "id_documents"):
        summary.locator(f"a[data-focus='{field}']").click()
        expect(page.locator(f"#{field}")).to_be_focused()


def test_member_check_ignores_a_stale_reply(page, live_server, login, provider, member):
    other = MemberFactory(first_name="Bruno", last_name="Castellan")
    CoverageFactory(member=other)
    held = []

    def hold_the_first(route):
        if member.member_number in route.request.url and not held:
            held.append(route)  # answered only after the second question's answer is shown
        else:
            route.continue_()

    login("provider")
    page.route("**/api/v1/members/**", hold_the_first)
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_member_number", member.member_number)
    page.fill("#id_member_date_of_birth", member.date_of_birth.isoformat())
    page.locator("#id_member_date_of_birth").dispatch_event("change")
    page.wait_for_timeout(200)
    page.fill("#id_member_number", other.member_number)
    page.fill("#id_member_date_of_birth", other.date_of_birth.isoformat())
    page.locator("#id_member_date_of_birth").dispatch_event("change")
    expect(page.locator("#member-check")).to_contain_text(other.name)

    assert held, "the first look-up was not made"
    held[0].continue_()
    page.wait_for_timeout(500)

    expect(page.locator("#member-check")).to_contain_text(other.name)
    assert member.name not in page.inner_text("#member-check")


def test_npis_show_whose_they_are_and_codes_their_service_as_typed(page, live_server, login, provider, surgeon):
    from datetime import date

    from criteria.services.requirements import coverage_requirement_save

    coverage_requirement_save(
        policy="knee-arthroplasty", version=1, service="Total knee replacement", codes=["27447"],
        effective_from=date(2020, 1, 1), documentation=["Knee X-ray report"],
    )  # fmt: skip
    login("provider")
    page.goto(f"{live_server.url}/cases/new/")

    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.locator("#id_requesting_provider_npi").dispatch_event("change")
    page.fill("#id_servicing_provider_npi", "1234567893")
    page.locator("#id_servicing_provider_npi").dispatch_event("change")
    page.fill("#id_lines-0-code", "27447")
    page.locator("#id_lines-0-code").dispatch_event("change")

    expect(page.locator("#id_requesting_provider_npi-name")).to_contain_text(surgeon.name)
    expect(page.locator("#id_servicing_provider_npi-name")).to_contain_text("No provider with NPI 1234567893")
    expect(page.locator("#id_lines-0-code-service")).to_have_text("Total knee replacement")
