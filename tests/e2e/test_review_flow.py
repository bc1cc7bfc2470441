"""Nurse claims a case and routes it; the physician denies it with criteria and a signature;
the provider office sees the denial with its reason and reviewer."""

import pytest

from tests.conftest import PASSWORD
from tests.reviews.helpers import knee_criteria

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form[action*='logout'] button")
    page.wait_for_load_state("networkidle")


def test_nurse_routes_physician_denies_provider_sees_it(
    page, live_server, login, screenshot, make_case, member, nurse, physician, provider
):
    version = knee_criteria()
    case = make_case(member=member, submitted_by=provider)
    make_case(urgency="expedited", expedited_reason="Severe pain with weakness")

    # The nurse claims the case from the work queue and routes it with a note.
    login("nurse")
    page.click("#role-links >> text=Work queue")
    page.wait_for_selector("#queue")
    screenshot("reviews-nurse-queue")
    page.click(f"text={case.reference}")
    page.click("#claim")
    assert "You claimed" in page.inner_text(".messages")
    assert page.inner_text("#assignee") == nurse.display_name
    screenshot("reviews-nurse-review-page")
    page.fill("#form-route textarea[name=reason]", "Only 4 weeks of physical therapy documented; criteria ask for 12.")
    page.click("#form-route button[type=submit]")
    assert page.inner_text("#case-status") == "Physician review"
    _logout(page)

    # The physician picks it from the physician queue and denies it, signed.
    login("physician")
    page.click("#role-links >> text=Physician queue")
    screenshot("reviews-physician-queue")
    page.click(f"text={case.reference}")
    page.select_option("#form-deny select[name=basis]", "medical_necessity")
    page.select_option("#form-deny select[name=reason_code]", "MN01")
    page.fill(
        "#form-deny textarea[name=reason]",
        "Your records show 4 weeks of physical therapy; a knee replacement is covered after 12 weeks of "
        "conservative treatment have not helped.",
    )
    # Ticking the criterion by its label ticks the Deny form's box, not the Approve form's
    # (issue 22, item 1: the forms once shared the ids the labels point at).
    page.click(f"#form-deny label:has(input[name=criteria_ids][value='{version.pk}'])")
    assert page.is_checked(f"#form-deny input[name=criteria_ids][value='{version.pk}']")
    assert not page.is_checked(f"#form-approve input[name=criteria_ids][value='{version.pk}']")
    page.fill("#form-deny input[name=password]", PASSWORD)
    screenshot("reviews-physician-review-page")
    page.click("#form-deny button[type=submit]")
    assert page.inner_text("#case-status") == "Denied"
    assert "signed with license MD" in page.inner_text("#decision")
    _logout(page)

    # The provider office sees the denial, its reason and the reviewer on its case page...
    login("provider")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    decision = page.locator("section.panel", has=page.get_by_role("heading", name="Decision", exact=True))
    assert "Denied" in decision.inner_text() and "Medical necessity" in decision.inner_text()
    assert "4 weeks of physical therapy" in decision.inner_text()
    assert physician.display_name in decision.inner_text()
    screenshot("reviews-provider-case-page")
    # ... and exactly the criteria text used on the decision page.
    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/decision/")
    assert version.text in page.inner_text("#criteria-used")
    screenshot("reviews-provider-decision")
