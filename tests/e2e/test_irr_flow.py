"""Issue 16, item 3 in Chromium: the administrator builds a reliability exercise from two
decided cases, a nurse completes it blind, and the administrator reads the report and its
CSV."""

import pytest

from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician
from reviews.services.worksheets import worksheet_save
from tests.conftest import PASSWORD
from tests.reviews.helpers import knee_criteria

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form[action*='logout'] button")
    page.wait_for_load_state("networkidle")


def test_admin_builds_nurse_answers_blind_admin_reads_the_report(
    page, live_server, login, screenshot, make_case, nurse, physician, admin_user
):
    version = knee_criteria()
    keys = [("not_met", "met"), ("met", "not_met")]
    cases = []
    for first, second in keys:
        case = make_case(clinical_summary="Knee pain; therapy tried.")
        case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
        worksheet_save(case_id=case.pk, actor=physician, answers=[
            {"criteria_id": version.pk, "index": 0, "answer": first, "note": "Chart."},
            {"criteria_id": version.pk, "index": 1, "answer": second, "note": "Chart."},
        ])  # fmt: skip
        case_deny(
            case_id=case.pk, actor=physician, basis="medical_necessity", reason="Criteria not met.",
            reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD,
        )  # fmt: skip
        cases.append(case)

    login(admin_user.username)
    page.click("#nav-irr")
    page.fill("#irr-name", "Knee replacement 2026")
    page.select_option("#irr-version", str(version.pk))
    page.fill("#irr-cases", "\n".join(c.reference for c in cases))
    page.check("#irr-new input[name=reviewers][value=nurse]")
    page.click("#irr-new button[type=submit]")
    assert "created and assigned" in page.inner_text(".messages")
    _logout(page)

    login("nurse")
    page.click("#nav-irr-mine")
    page.click("#irr-mine a")
    assert cases[0].reference not in page.content()
    selects = page.locator("#irr-take select")
    answers = [value for pair in keys for value in pair]
    for i, value in enumerate(answers):
        # The nurse agrees except on the last criterion.
        selects.nth(i).select_option(value if i < len(answers) - 1 else "not_applicable")
    screenshot("irr-nurse-answers")
    page.click("#irr-take button[type=submit]")
    assert "your answers are recorded" in page.inner_text(".messages")
    _logout(page)

    login(admin_user.username)
    page.click("#nav-irr")
    page.click("#irr-list a")
    assert "75.0 %" in page.inner_text("#irr-reviewers")
    assert page.locator("#irr-reviewers svg").count() == 1
    screenshot("irr-admin-report")
    response = page.request.get(page.url + "?format=csv")
    assert response.ok and "nurse,yes,4,75.0," in response.text()
