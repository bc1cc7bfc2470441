"""The API docs render in a real browser under the strict CSP, from our own static files."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_csp_violations_or_third_party_requests(page, live_server, screenshot):
    violations, foreign = [], []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("request", lambda req: foreign.append(req.url) if not req.url.startswith(live_server.url) else None)

    page.goto(f"{live_server.url}/api/docs/")
    page.locator('[data-path="/fhir/Claim/$submit"]').first.wait_for(timeout=20000)

    assert page.locator('[data-path="/api/v1/authorizations/"]').count() >= 1
    assert violations == []
    assert foreign == []
    screenshot("api-docs")
