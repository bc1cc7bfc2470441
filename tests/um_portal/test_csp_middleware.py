"""The Content-Security-Policy headers built once per process (um_portal.middleware
.CSPMiddleware) are the ones django-csp builds per response, in every case it handles."""

import csp.middleware
import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from django.http import HttpResponse
from django.test import RequestFactory

from um_portal.middleware import CSPMiddleware

HEADERS = (HEADER, HEADER_REPORT_ONLY)


def _headers(middleware_class, *, path="/reviews/queue/", prepare=None, status=200):
    middleware = middleware_class(lambda request: HttpResponse(status=status))
    request = RequestFactory().get(path)
    middleware.process_request(request)
    response = HttpResponse(status=status)
    if prepare is not None:
        prepare(request, response)
    middleware.process_response(request, response)
    return {name: response.get(name) for name in HEADERS}


def _same(**kwargs):
    ours, theirs = _headers(CSPMiddleware, **kwargs), _headers(csp.middleware.CSPMiddleware, **kwargs)
    assert ours == theirs
    return ours


def test_every_response_gets_django_csps_policy():
    headers = _same()
    assert "default-src 'self'" in headers[HEADER] and headers[HEADER_REPORT_ONLY] is None
    _same(path="/api/v1/authorizations/", status=404)


def test_a_response_with_its_own_policy_or_a_header_already_set_keeps_it():
    def update(request, response):
        response._csp_update = {"img-src": ["https://example.org"]}

    assert "https://example.org" in _same(prepare=update)[HEADER]

    def preset(request, response):
        response[HEADER] = "default-src 'none'"

    assert _same(prepare=preset)[HEADER] == "default-src 'none'"

    def exempt(request, response):
        response._csp_exempt = True

    assert _same(prepare=exempt)[HEADER] is None


def test_a_nonce_a_template_asked_for_is_in_the_policy(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    nonces = {}

    def use_nonce(request, response):
        nonces[len(nonces)] = str(request.csp_nonce)

    ours = _headers(CSPMiddleware, prepare=use_nonce)
    assert f"'nonce-{nonces[0]}'" in ours[HEADER]
    assert "nonce-" not in _headers(CSPMiddleware)[HEADER], "no nonce asked for, none given"


def test_a_changed_setting_is_used_from_the_next_response(settings):
    _same()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/x/"]}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    headers = _same()
    assert headers[HEADER] == "default-src 'none'" and headers[HEADER_REPORT_ONLY] == "default-src 'self'"
    assert _same(path="/x/page")[HEADER] is None


@pytest.mark.parametrize("status", [404, 500])
def test_debug_pages_get_no_policy_as_with_django_csp(settings, status):
    settings.DEBUG = True
    assert _same(status=status) == {HEADER: None, HEADER_REPORT_ONLY: None}
