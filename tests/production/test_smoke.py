"""Production smoke test: DEBUG off, collectstatic, gunicorn with gunicorn.conf.py, a worker
and beat on PostgreSQL and Redis (conftest.stack). Each role signs in in headless Chromium;
every stylesheet and script of its main pages answers 200 with the right content type from
WhiteNoise (hashed name, far-future cache), styles are applied, and the strict CSP reports
no violation and the console no error."""

import re
from urllib.parse import urlsplit

import pytest
import requests

from .stack import PASSWORD, TOTP_KEYS, otp, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

# Each role's main pages (paths), after signing in.
PAGES = {
    "provider": ["/", "/cases/", "/cases/new/", "/notifications/"],
    "nurse": ["/", "/reviews/queue/", "/reviews/at-risk/", "/notifications/"],
    "physician": ["/", "/reviews/physician/", "/reviews/appeals/"],
    "admin": ["/", "/audit/", "/api/docs/", "/admin/", "/notifications/lines/"],
}
CONTENT_TYPES = {"stylesheet": ("text/css",), "script": ("text/javascript", "application/javascript")}
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")
# Listens for CSP violations from the first byte of every page (init scripts are exempt).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def watched(page):
    seen = {"assets": [], "console": [], "failed": [], "refused": []}
    page.add_init_script(CSP_LISTENER)
    page.on(
        "response",
        lambda r: (
            seen["assets"].append((r.request.resource_type, r.url, r.status, r.headers))
            if r.request.resource_type in CONTENT_TYPES
            else None
        ),
    )
    page.on("response", lambda r: seen["refused"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    return seen


def _sign_in(page, base: str, username: str):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if username in TOTP_KEYS:
        assert "/accounts/mfa/verify/" in page.url, page.url
        page.fill("#id_token", otp(username))
        page.click("form:has(#id_token) button[type=submit]")  # not the top bar's sign-out button
        page.wait_for_load_state("networkidle")
    assert "/accounts/" not in page.url, f"{username} did not get in: {page.url}"


def _check_page(page, path: str, seen: dict):
    csp = page.evaluate("window.__csp")
    assert csp == [], f"CSP violations on {path}: {csp}"
    # Styles applied (a computed style, not only a 200): portal.css paints the page background.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if path.startswith("/admin/"):
        assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") != "inline"
    elif path.startswith("/api/docs/"):
        page.wait_for_selector(".swagger-ui .info", timeout=20_000)  # Swagger UI's script ran
    else:
        assert background == "rgb(246, 247, 250)", f"{path}: portal.css not applied ({background})"
        assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_gets_every_stylesheet_and_script_with_styles_applied_and_no_csp_error(stack, page, watched, role):
    base = stack.webs[0]
    _sign_in(page, base, role)
    for path in PAGES[role]:
        watched["assets"].clear()
        response = page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, f"{role} {path}: {response.status}"
        _check_page(page, path, watched)
        kinds = {kind for kind, *_ in watched["assets"]}
        assert "stylesheet" in kinds, f"{path}: no stylesheet loaded"
        if path != "/admin/":
            assert "script" in kinds, f"{path}: no script loaded"
        for kind, url, status, headers in watched["assets"]:
            assert status == 200, f"{path}: {url} answered {status}"
            assert headers["content-type"].startswith(CONTENT_TYPES[kind]), f"{url}: {headers['content-type']}"
            if urlsplit(url).path.startswith("/static/"):
                # WhiteNoise: a hashed (cache-busting) name, cached for ten years.
                assert HASHED.search(url), f"{path}: {url} is not a hashed name"
                assert headers["cache-control"] == "max-age=315360000, public, immutable", url
            else:
                # Not a static file: only Swagger UI's start-up script, rendered by the docs view.
                assert url.startswith(f"{base}/api/docs/?script"), url
    assert watched["refused"] == [], f"answers >= 400 for {role}: {watched['refused']}"
    assert watched["console"] == [], f"console errors for {role}: {watched['console']}"
    assert watched["failed"] == [], f"failed requests for {role}: {watched['failed']}"


def test_static_files_are_compressed_and_unknown_ones_are_404(stack):
    base = stack.webs[0]
    page = requests.get(f"{base}/accounts/login/", timeout=10)
    css = re.search(r'href="(/static/portal\.[0-9a-f]{12}\.css)"', page.text).group(1)

    gzip = requests.get(f"{base}{css}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    brotli = requests.get(f"{base}{css}", headers={"Accept-Encoding": "br"}, stream=True, timeout=10)

    assert gzip.status_code == 200 and gzip.headers["Content-Encoding"] == "gzip"
    assert ".topbar" in gzip.text
    assert brotli.headers["Content-Encoding"] == "br"
    assert "Content-Security-Policy" in page.headers and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert requests.get(f"{base}/static/nothing-here.css", timeout=10).status_code == 404


def test_readiness_reports_every_part_up(stack):
    body = stack.ready(stack.webs[0])

    assert body["down"] == [] and set(body["checks"]) == {"database", "redis", "worker", "beat"}


def test_the_access_log_has_paths_without_query_strings(stack):
    base = stack.webs[0]
    assert requests.get(f"{base}/accounts/login/", params={"member": "M100001"}, timeout=10).status_code == 200

    line = wait_for(
        "the access log line",
        lambda: next((x for x in stack.log("web1").read_text().splitlines() if '"GET /accounts/login/ ' in x), None),
        timeout=30,
    )
    assert "M100001" not in stack.log("web1").read_text(), "no query string (member numbers) in the access log"
    assert line.endswith("ms") and '" 200 ' in line
