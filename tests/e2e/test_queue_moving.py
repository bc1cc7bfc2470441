"""Moving through the queue (issue 22, item 5): filters apply as soon as they change, and
each row names its service codes."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_queue_filter_applies_on_change(page, live_server, login, screenshot, make_case, nurse):
    urgent = make_case(urgency="expedited", expedited_reason="Severe pain with weakness")
    routine = make_case()
    login("nurse")
    page.goto(f"{live_server.url}/reviews/queue/")
    expect(page.locator("#queue")).to_contain_text(routine.reference)

    page.select_option("#queue-filters select[name=urgency]", "expedited")

    page.wait_for_url(re.compile(r"urgency=expedited"))
    expect(page.locator("#queue")).to_contain_text(urgent.reference)
    expect(page.locator("#queue")).not_to_contain_text(routine.reference)
    expect(page.locator("#queue")).to_contain_text("CPT 27447")
    screenshot("reviews-queue-filtered-on-change")
