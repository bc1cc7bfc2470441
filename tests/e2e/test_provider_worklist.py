"""A provider office's day in Chromium (issue 22, item 2): the Requests page starts with
what needs the office, a notice leads to the request, the request shows the office's
respond-by date, and opening it marks the notice read."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseEvent
from notifications.services.provider_notices import provider_notices_for_event
from reviews.services.pends import case_pend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_sees_what_needs_it_and_the_notice_leads_to_the_request(
    page, live_server, login, screenshot, make_case, member, nurse, provider
):
    case = make_case(member=member)
    respond_by = timezone.localdate() + timedelta(days=6)
    case_pend(
        reason_code="PD01",
        case_id=case.pk,
        actor=nurse,
        requested_information="Send the knee X-rays.",
        respond_by=respond_by,
    )
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.INFORMATION_REQUESTED).latest("id")
    provider_notices_for_event(event_id=event.pk)

    login("provider")
    page.goto(f"{live_server.url}/cases/")
    worklist = page.locator("#needs-response")
    expect(worklist).to_contain_text(case.reference)
    expect(worklist).to_contain_text(f"respond by {respond_by:%a %-d %b %Y}")
    screenshot("provider-worklist")

    page.goto(f"{live_server.url}/notifications/")
    page.click(f"#notices-{case.pk} h2 a")
    expect(page.locator("#respond-by")).to_contain_text(f"{respond_by:%a %-d %b %Y}")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(f"#notices-{case.pk} li.unread")).to_have_count(0)

    page.goto(f"{live_server.url}/cases/?q=" + member.last_name.lower())
    expect(page.locator("#case-list")).to_contain_text(case.reference)
