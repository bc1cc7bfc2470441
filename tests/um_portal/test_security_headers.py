"""Security headers on a page and on an API response; cookies are Secure, HttpOnly and
SameSite; and no template carries inline script or style (the CSP would block it)."""

import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_headers_on_a_page(client, nurse):
    client.force_login(nurse)
    response = client.get("/", secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_headers_on_an_api_response(api, nurse):
    response = api.as_user(nurse).get("/api/v1/me/", secure=True)
    assert response.status_code == 200 and response.json()["username"] == "nurse"
    _assert_security_headers(response)
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_headers_on_an_api_refusal(client):
    response = client.get("/api/v1/me/", secure=True, HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401
    _assert_security_headers(response)


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, nurse):
    response = client.post("/accounts/login/", {"username": "nurse", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    # Ends at browser close: no Max-Age/Expires on the cookie itself.
    assert not session["max-age"] and not session["expires"]
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"""\sstyle=["']|<style[\s>]|\son[a-z]+=["']""", re.IGNORECASE)


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "site-packages" in template.parts:
            continue
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE):
            for match in pattern.finditer(text):
                if 'type="application/json"' in match.group(0):
                    continue  # data blocks (json_script) are not executed
                offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)!r}")
    assert not offenders, "Inline script/style breaks the Content-Security-Policy:\n" + "\n".join(offenders)
