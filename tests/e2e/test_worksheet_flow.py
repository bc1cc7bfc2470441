"""Issue 16 in Chromium: a nurse fills the worksheet and routes the case; the physician sees
it beside their own, records two unmet criteria and denies citing a reason code; the
provider office reads both on the decision page and in the letter's PDF."""

import pytest

from cases.models import CaseEvent
from notifications.services.letters import letters_generate_for_event
from tests.conftest import PASSWORD
from tests.notifications.conftest import pdf_text, squash
from tests.reviews.helpers import knee_criteria

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form[action*='logout'] button")
    page.wait_for_load_state("networkidle")


def test_nurse_worksheet_physician_denies_on_two_unmet_criteria_provider_reads_them(
    page, live_server, login, screenshot, make_case, member, nurse, physician, provider, tmp_path
):
    version = knee_criteria()  # "Imaging shows advanced disease", "12 weeks of therapy failed"
    case = make_case(member=member, submitted_by=provider)
    row = f"ws-{version.pk}"

    login("nurse")
    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/")
    page.select_option(f"#worksheet-mine select[name={row}-0-answer]", "not_documented")
    page.select_option(f"#worksheet-mine select[name={row}-1-answer]", "not_met")
    page.fill(f"#worksheet-mine input[name={row}-1-note]", "PT notes show 4 weeks only.")
    page.click("#worksheet-mine button[type=submit]")
    assert "Worksheet saved" in page.inner_text(".messages")
    page.fill("#form-route textarea[name=reason]", "Criteria not met on the worksheet.")
    page.click("#form-route button[type=submit]")
    assert page.inner_text("#case-status") == "Physician review"
    _logout(page)

    login("physician")
    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/")
    beside = page.inner_text("#worksheet")
    assert "PT notes show 4 weeks only." in beside and "Not documented" in beside
    page.select_option(f"#worksheet-mine select[name={row}-0-answer]", "not_met")
    page.fill(f"#worksheet-mine input[name={row}-0-note]", "No weight-bearing X-rays in the record.")
    page.select_option(f"#worksheet-mine select[name={row}-1-answer]", "not_met")
    page.fill(f"#worksheet-mine input[name={row}-1-note]", "4 weeks of PT, not 12.")
    page.click("#worksheet-mine button[type=submit]")
    screenshot("worksheet-physician-beside-nurse")
    page.select_option("#form-deny select[name=basis]", "medical_necessity")
    page.select_option("#form-deny select[name=reason_code]", "MN01")
    page.fill("#form-deny textarea[name=reason]", "The records do not show 12 weeks of therapy or advanced disease.")
    page.check(f"#form-deny input[name=criteria_ids][value='{version.pk}']")
    page.fill("#form-deny input[name=password]", PASSWORD)
    page.click("#form-deny button[type=submit]")
    assert page.inner_text("#case-status") == "Denied"
    _logout(page)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.DECISION_RECORDED)
    letters = {x.recipient: x for x in letters_generate_for_event(event_id=event.pk)}
    assert letters["requesting_provider"].status == "issued", letters["requesting_provider"].missing

    login(provider.username)
    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/decision/")
    sheets = page.inner_text("#decision-worksheets")
    assert "Imaging shows advanced disease" in sheets and "12 weeks of therapy failed" in sheets
    assert "No weight-bearing X-rays in the record." in sheets
    screenshot("worksheet-provider-decision-page")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    with page.expect_download() as info:
        page.click("a.letter-download")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    text = squash(pdf_text(target.read_bytes()))
    for unmet in ("Imaging shows advanced disease", "12 weeks of therapy failed"):
        assert squash(unmet) in text, unmet
