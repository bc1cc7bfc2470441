"""Provider pages at phone size, 390 x 844 (issue 22, item 7): no page scrolls sideways,
the menu folds behind a button, a skip link leads to the content, focus is visible, and
no staff jargon or API docs link for an office that does not use the API. Screenshots of
each page are kept in test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.services.decisions import case_approve
from reviews.services.pends import case_pend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_provider_pages_fit_a_phone(page, live_server, login, screenshot, make_case, member, nurse, provider):
    pended = make_case(member=member)
    case_pend(
        reason_code="PD01", case_id=pended.pk, actor=nurse,
        requested_information="Send the last two clinic notes and the knee X-rays taken this year.",
        respond_by=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    approved = make_case(member=member)
    case_approve(case_id=approved.pk, actor=nurse)
    page.set_viewport_size(PHONE)
    login("provider")

    pages = {
        "home": "/",
        "requests": "/cases/",
        "new-request": "/cases/new/",
        "eligibility": "/cases/eligibility/",
        "pended-request": f"/cases/{pended.pk}/",
        "approved-request": f"/cases/{approved.pk}/",
        "notifications": "/notifications/",
        "decision": f"/reviews/cases/{approved.pk}/decision/",
        "requirements": "/criteria/requirements/",
        "contact": "/notifications/contact/",
    }
    too_wide = {}
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        width = _scroll_width(page)
        if width > PHONE["width"]:
            too_wide[path] = width
        screenshot(f"phone-390-{name}")
        # The page's own words (the phone lines' names are the administrator's to choose).
        chrome = page.inner_text("header") + page.inner_text("footer")
        assert "UMOC" not in chrome and "API docs" not in chrome, path
    assert too_wide == {}

    # The menu folds behind its button; the skip link takes focus to the content.
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("#mainnav")).to_be_hidden()
    page.click("#menu-toggle")
    expect(page.locator("#mainnav")).to_be_visible()
    screenshot("phone-390-menu-open")
    page.goto(f"{live_server.url}/cases/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
