"""An administrator reads the operations dashboard in Chromium (charts drawn, no console
error, no CSP violation), exports a table; anyone reads the public CMS-0057-F report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest
from reviews.models import Decision
from reviews.reporting.rollups import rollup_rebuild_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_admin_reads_the_dashboard_charts(admin_user, nurse, make_case, page, live_server, login, screenshot):
    for days_ago, outcome in ((3, "approved"), (2, "denied"), (1, "approved")):
        received = timezone.now() - timedelta(days=days_ago)
        case = make_case(received_at=received)
        # Test setup: decided directly; the decision services are tested elsewhere.
        AuthorizationRequest.objects.filter(pk=case.pk).update(status=outcome, decided_at=received + timedelta(hours=5))
        Decision.objects.create(case=case, outcome=outcome, decided_by=nurse, decided_at=received + timedelta(hours=5))
    make_case()  # still open: on the heat map
    rollup_rebuild_all()
    problems = _watch(page)

    login("admin")
    page.click("#nav-dashboard")
    page.wait_for_load_state("networkidle")

    assert page.locator("#charts svg").count() == 5
    assert page.locator("#charts svg rect.series-0").count() > 0
    # Drawn with their colours (CSS classes, no inline style): the bars are not black.
    fill = page.locator("#charts svg rect.series-0").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(29, 78, 216)"
    assert "Decided" in page.locator("#headline-figures").inner_text()
    screenshot("dashboard")
    with page.expect_download() as download:
        page.click("#export-timeliness_rule")
    assert download.value.suggested_filename == "um-dashboard-timeliness_rule.csv"
    assert problems == []


def test_public_report_renders_without_login(page, live_server, screenshot):
    problems = _watch(page)
    page.goto(f"{live_server.url}/reports/prior-authorization/")
    assert "Prior authorization metrics" in page.locator("h1").inner_text()
    assert page.locator("#metrics table tr").count() >= 12
    screenshot("public-prior-authorization-report")
    assert problems == []
