"""A provider office downloads its letters from its case page in Chromium; a nurse sees a held
letter and what it is missing on the review page."""

import hashlib

import pytest

from notifications.services.letters import letters_generate_for_event
from tests.notifications import conftest as letter_fixtures

# The letter fixtures, shared with tests/notifications.
decide, tka_criteria = letter_fixtures.decide, letter_fixtures.tka_criteria

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_downloads_its_decision_letter(
    page, login, screenshot, live_server, provider, make_case, decide, tmp_path
):
    case = make_case()
    _, event = decide(case, "denied", reason="The notes show 4 weeks of therapy; the criteria ask for 12.")
    letters = {x.recipient: x for x in letters_generate_for_event(event_id=event.pk)}
    ours = letters["requesting_provider"]
    assert ours.status == "issued"

    login(provider.username)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    links = page.locator("#letters a.letter-download")
    assert links.count() == 1  # the member's letter is not the office's to read
    assert links.first.inner_text() == "Denial letter to the requesting provider"
    screenshot("letters-provider-case-page")
    with page.expect_download() as info:
        page.click("a.letter-download")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    data = target.read_bytes()
    assert download.suggested_filename == f"{case.reference}-denial-requesting_provider.pdf"
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == ours.sha256


def test_nurse_sees_a_held_letter_and_what_is_missing_on_the_review_page(
    page, login, screenshot, live_server, nurse, make_case, decide
):
    case = make_case()
    _, event = decide(case, "denied", reason="")
    letters_generate_for_event(event_id=event.pk)

    login(nurse.username)
    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/")
    panel = page.locator("#letters")
    assert "Held" in panel.inner_text() and "Missing: specific reason" in panel.inner_text()
    screenshot("letters-held-review-page")
