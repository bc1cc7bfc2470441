"""Domain errors raised under a page view become the right status with a readable page;
staff without a verified second factor reach only enrolment and verification."""

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import logout
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from .exceptions import DomainError
from .mfa import ENROLMENT_LINK_NEEDED, mfa_enrolment_link_needed, mfa_required_for, user_has_mfa_device

NUL_MESSAGE = "The address holds a NUL character (%00): remove it and try again."


class NulCharacterMiddleware:
    """A NUL character in the path or the query string answers 400 before any view runs
    (issue 12, item 8): PostgreSQL cannot store or compare one, so a filter such as
    `?assignee=a%00b` reaching a query raised ValueError, a 500. JSON bodies are checked by
    the parser (um_portal.parsers); forms and serializers refuse NUL in their fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return _nul_refused(request)
        return self.get_response(request)


def _nul_refused(request):
    if request.path.startswith("/fhir/"):
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "invalid", "diagnostics": NUL_MESSAGE}],
        }
        return JsonResponse(outcome, status=400, content_type="application/fhir+json")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NUL_MESSAGE, "code": "nul_character", "errors": {}}, status=400)
    return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")


class SessionRenewMiddleware:
    """Idle logoff without a session write per request (issue #13): a signed-in session's
    expiry is pushed back (the session saved, SessionMiddleware's UPDATE) when the last push
    is SESSION_RENEW_SECONDS old or older, not on every page. The server then ends a session
    between SESSION_IDLE_SECONDS minus that and SESSION_IDLE_SECONDS after the last request:
    never later, and after the idle warning (session.js warns a minute before). The
    keep-alive view always renews. Runs right after SessionMiddleware, on the response, so
    it sees a login's new session and leaves a logout's ended one alone."""

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            session_renew(session, force=False)
        return response


def session_renew(session, *, force: bool = True) -> None:
    """Mark `session` to be saved with a new expiry (always, or `force=False`: when its last
    renewal is SESSION_RENEW_SECONDS old), on Django's clock."""
    from django.utils import timezone

    now = timezone.now().timestamp()
    if force or now - session.get(SessionRenewMiddleware.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
        session[SessionRenewMiddleware.KEY] = now


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(
                request,
                "error.html",
                {"status": exception.status_code, "message": exception.message, "errors": exception.errors},
                status=exception.status_code,
            )
        return None


TIMEOUT_MESSAGE = (
    "This request took too long and was stopped so that it does not hold up other users. "
    "Try again in a moment, or narrow it down (fewer rows, a shorter period)."
)


class StatementTimeoutMiddleware:
    """A statement the database cancelled for running past the web statement timeout
    (settings.WEB_STATEMENT_TIMEOUT) answers 503 with Retry-After, in the API's error shape
    (an OperationOutcome under /fhir/, the error page elsewhere), not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .statement_timeout import is_statement_timeout

        if not is_statement_timeout(exception):
            return None
        if request.path.startswith("/fhir/"):
            outcome = {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "timeout", "diagnostics": TIMEOUT_MESSAGE}],
            }
            response = JsonResponse(outcome, status=503, content_type="application/fhir+json")
        elif request.path.startswith("/api/"):
            response = JsonResponse({"detail": TIMEOUT_MESSAGE, "code": "timeout", "errors": {}}, status=503)
        else:
            response = render(
                request, "error.html", {"status": 503, "message": TIMEOUT_MESSAGE, "errors": {}}, status=503
            )
        response["Retry-After"] = "5"
        return response


# Routes an unverified user may still reach: signing in, enrolling, verifying, leaving.
MFA_EXEMPT_VIEWS = frozenset(
    {
        "login",
        "logout",
        "mfa_setup",
        "mfa_verify",
        "mfa_enrol",
        "keep_alive",
        "healthz",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "api-schema",
        "api-docs",
    }
)


class MFAEnforcementMiddleware:
    """Staff (and providers who need it) reach no page until the session has passed a
    second factor: without a device they go to enrolment, with one to verification.
    Session-authenticated API calls get a 403 instead; token clients proved the factor
    when the token was issued (um_portal.mfa.mfa_token_check)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_ENFORCED:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in MFA_EXEMPT_VIEWS:
            return None

        if not mfa_required_for(user):
            return None
        if mfa_enrolment_link_needed(user):
            # No second factor and none may be enrolled from a password: this session ends
            # (the login form refuses such accounts; issue 12, item 3).
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": ENROLMENT_LINK_NEEDED, "code": "mfa_enrolment_required", "errors": {}}, status=403
                )
            logout(request)
            return render(request, "registration/mfa_enrol.html", {"invalid": ENROLMENT_LINK_NEEDED}, status=403)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "A second factor is required: verify in the portal first.",
                    "code": "mfa_required",
                    "errors": {},
                },
                status=403,
            )
        target = "mfa_verify" if user_has_mfa_device(user) else "mfa_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user (or carrying a token) hold PHI: no browser
    or proxy keeps a copy (ASVS 8.2.1). Also turns off browser features the portal never uses."""

    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if private and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response


# What a view or template can do to one response's policy (django-csp's decorators, and a
# nonce a template asked for); with none of them, every response gets the same headers.
CSP_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_csp_policies: dict = {}


@receiver(setting_changed)
def _csp_policies_forget(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _csp_policies.clear()


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the headers it gives every response built once per
    process instead of per response (issue #13: copying the parts and building the policy
    string twice cost about 0.2 ms a request). A response with its own policy (decorators,
    a nonce) goes through django-csp as it is."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in CSP_PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # django-csp leaves Django's debug pages alone
        for header, exempt, setting in (
            (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy, excluded = _csp_policy(setting)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _csp_policy(setting: str) -> tuple[str, tuple]:
    """The policy string of a setting (django-csp builds it) and its excluded path prefixes."""
    if setting not in _csp_policies:
        config = getattr(settings, setting, None) or {}
        _csp_policies[setting] = (
            build_policy(report_only=setting.endswith("REPORT_ONLY")),
            tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ()),
        )
    return _csp_policies[setting]
