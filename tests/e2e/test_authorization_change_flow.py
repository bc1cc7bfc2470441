"""Issue 19, item 3 in Chromium: an office extends an authorization from its case page; a
nurse sees the change marked in the work queue and what it asks on the review page; once
approved, the original authorization shows the extension in its history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest
from reviews.services.decisions import case_approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form[action*='logout'] button")
    page.wait_for_load_state("networkidle")


def test_office_extends_an_authorization_and_the_nurse_sees_the_change(
    page, live_server, login, screenshot, make_case, member, nurse, provider
):
    start = timezone.localdate() + timedelta(days=3)
    case = make_case(
        member=member,
        submitted_by=provider,
        service_category="home_health",
        lines=[{"code_system": "HCPCS", "code": "G0151", "units": 8, "start_date": start,
                "end_date": start + timedelta(days=29)}],
    )  # fmt: skip
    case_approve(case_id=case.pk, actor=nurse)
    new_end = start + timedelta(days=59)

    # The office asks for a later end date from the case page.
    login("provider")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "Authorization A-" in page.inner_text("#authorization")
    page.select_option("#change-form select[name=kind]", "extend")
    page.fill("#change-form input[name=end_date]", new_end.isoformat())
    page.fill("#change-form textarea[name=reason]", "The wound has not healed; visits continue.")
    screenshot("cases-authorization-change-form")
    page.click("#change-submit")
    page.wait_for_load_state("networkidle")
    change = AuthorizationRequest.objects.get(change_of=case)
    assert f"Change request {change.reference} was sent" in page.inner_text(".messages")
    assert change.reference in page.inner_text("#authorization-changes")
    _logout(page)

    # The nurse sees it marked as a change in the work queue and opens it.
    login("nurse")
    page.click("#role-links >> text=Work queue")
    page.wait_for_selector("#queue")
    row = page.locator("#queue tr", has_text=change.reference)
    assert "Change: Extend the end date" in row.inner_text()
    screenshot("reviews-queue-change-marked")
    page.click(f"text={change.reference}")
    panel = page.inner_text("#change-request")
    assert "Extend the end date" in panel and case.reference in panel and new_end.isoformat() in panel
    _logout(page)

    # Approved, the original authorization shows the extension in its history.
    case_approve(case_id=change.pk, actor=nurse)
    login("provider")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    history = page.inner_text("#authorization-history")
    assert "End date extended" in history and change.reference in history
    screenshot("cases-authorization-history")
