"""ICD-10-CM codes on the request form in Chromium (issue 22, item 3): each typed code shows
its CMS description beside the field, an unknown code and a bare category are said plainly;
at the phone width too."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_diagnosis_codes_show_their_descriptions_as_typed(page, live_server, login, screenshot, provider):
    login("provider")
    page.goto(f"{live_server.url}/cases/new/")

    page.fill("#id_diagnosis_codes", "m17.11, M17.99 M17")
    page.locator("#id_diagnosis_codes").dispatch_event("change")

    hint = page.locator("#id_diagnosis_codes-descriptions")
    expect(hint).to_contain_text("M17.11: Unilateral primary osteoarthritis, right knee")
    expect(hint).to_contain_text("M17.99 is not an ICD-10-CM code")
    expect(hint).to_contain_text("M17 is a category (Osteoarthritis of knee)")
    assert hint.get_attribute("aria-live") == "polite"
    hint.scroll_into_view_if_needed()
    screenshot("request-form-diagnosis-descriptions")

    # Corrected, the hint answers the latest value only.
    page.fill("#id_diagnosis_codes", "M25.561")
    page.locator("#id_diagnosis_codes").dispatch_event("change")
    expect(hint).to_have_text("M25.561: Pain in right knee")


def test_diagnosis_descriptions_fit_a_phone(page, live_server, login, screenshot, provider):
    page.set_viewport_size({"width": 390, "height": 844})
    login("provider")
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_diagnosis_codes", "S83.241A")
    page.locator("#id_diagnosis_codes").dispatch_event("change")

    expect(page.locator("#id_diagnosis_codes-descriptions")).to_contain_text("S83.241A: ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("request-form-diagnosis-descriptions-phone")
