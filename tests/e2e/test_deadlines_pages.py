"""A nurse sees why a case is due when it is, extends it, and finds overdue cases at risk."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.services.deadline_sweep import deadline_sweep_run
from tests.factories import CoverageFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_breakdown_extension_at_risk_and_notifications(page, live_server, login, screenshot, nurse, make_case):
    member = MemberFactory(state="VA")
    CoverageFactory(member=member, state="VA", line_of_business="medicare_advantage")
    case = make_case(member=member, start_date=timezone.localdate() + timedelta(days=20))
    overdue = make_case(
        member=member,
        urgency="expedited",
        expedited_reason="Severe pain.",
        received_at=timezone.now() - timedelta(hours=80),
        start_date=timezone.localdate() + timedelta(days=2),
    )
    deadline_sweep_run()
    login("nurse")

    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/")
    breakdown = page.locator("#clock-breakdown")
    assert "CMS-0057-F / Medicare Advantage" in breakdown.inner_text()
    assert "earliest: sets the deadline" in breakdown.inner_text()
    screenshot("deadlines-case-breakdown")

    page.select_option("#extend-ground", "member_request")
    page.fill("#extend-reason", "The member asked for time to send records.")
    page.click("#form-extend button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Deadline extended to" in page.content()
    assert "+ extension" in page.locator("#clock-breakdown").inner_text()

    page.goto(f"{live_server.url}/reviews/at-risk/")
    table = page.locator("#at-risk").inner_text()
    assert overdue.reference in table and "Overdue" in table
    assert case.reference not in table
    screenshot("deadlines-at-risk")

    # The nurse (nobody has the case): the 50 % and 75 % alerts and the overdue escalation.
    assert page.locator("#unread-count").inner_text() == "3"
    page.click("#nav-notifications")
    assert overdue.reference in page.locator("#notifications").inner_text()
    screenshot("deadlines-notifications")
