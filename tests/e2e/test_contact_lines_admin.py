"""An administrator changes the Weekend and Holiday Line's Saturday hours in the weekly
grid, previews a Saturday urgent call, and the public contact page shows the new hours."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import ContactLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_saturday():
    today = timezone.localdate()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def test_admin_changes_weekend_line_hours_previews_and_public_page_follows(
    page, live_server, login, screenshot, admin_user
):
    weekend = ContactLine.objects.get(key="weekend_holiday")
    login(admin_user.username)

    # The weekly grid, from the nav.
    page.click("nav.mainnav >> text=Phone lines")
    row = page.locator(f"#line-row-{weekend.pk}")
    assert "8:30–17:00" in row.locator('a.hours-edit[data-day="5"]').inner_text()
    screenshot("lines-grid-before")

    # Saturday becomes 10:00 to 14:00.
    row.locator('a.hours-edit[data-day="5"]').click()
    page.fill("#id_opens_1", "10:00")
    page.fill("#id_closes_1", "14:00")
    screenshot("lines-hours-edit-saturday")
    page.click("#hours-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/notifications/lines/")
    assert "Hours saved" in page.locator(".messages").inner_text()
    saturday_cell = page.locator(f"#line-row-{weekend.pk} a.hours-edit[data-day='5']").inner_text()
    assert "10:00–14:00" in saturday_cell
    screenshot("lines-grid-after")

    # Who answers an urgent call next Saturday at 9:00? Nobody yet: the Weekend line opens at 10:00.
    page.click("text=Who answers?")
    saturday = next_saturday().isoformat()
    page.select_option("#id_inquiry", "urgent_authorization")
    page.fill("#id_date", saturday)
    page.fill("#id_time", "09:00")
    page.click("#preview-form button[type=submit]")
    answer = page.locator("#preview-answer")
    assert "UMOC Weekend and Holiday Line" in answer.inner_text()
    assert "301-960-1436" in answer.inner_text()
    assert "Closed" in answer.inner_text()
    assert "10:00" in answer.locator(".route-opens").inner_text()
    screenshot("lines-preview-saturday-0900")

    # At 11:00 it answers.
    page.fill("#id_time", "11:00")
    page.click("#preview-form button[type=submit]")
    answer = page.locator("#preview-answer")
    assert "Open now" in answer.inner_text()
    assert "Saturday 10:00 to 14:00" in answer.locator(".line-hours").inner_text()
    screenshot("lines-preview-saturday-1100")

    # The change is on the change log: who, and from what to what.
    page.click("text=Change log")
    first = page.locator("#changes tbody tr").first.inner_text()
    assert "UMOC Weekend and Holiday Line, Saturday" in first and "08:30–17:00" in first and "10:00–14:00" in first
    screenshot("lines-change-log")

    # The line editor: Member Services keeps its Medicare number.
    member_services = ContactLine.objects.get(key="member_services")
    page.goto(f"{live_server.url}/notifications/lines/{member_services.pk}/")
    assert page.input_value("#id_phone_medicare_advantage") == "888-777-5536"
    assert page.is_checked("input[name=inquiries][value=member_services]")
    screenshot("lines-edit-member-services")

    # The public page, signed out.
    page.click("form[action='/accounts/logout/'] button")
    page.goto(f"{live_server.url}/notifications/contact/")
    card = page.locator(f"#line-{weekend.pk}")
    assert "Saturday 10:00 to 14:00; Sunday 8:30 to 17:00; holidays 8:30 to 17:00" in card.inner_text()
    assert page.locator("#who-to-call tr").count() == 8  # header + seven inquiry kinds
    screenshot("contact-public-after")
