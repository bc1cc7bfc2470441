"""The FHIR endpoints (Da Vinci PAS): thin doors onto `pas.services`. Every answer under
/fhir/ is FHIR JSON (`application/fhir+json`); every refusal an OperationOutcome with an
IssueType code, never an HTML page."""

import logging

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api_tokens import ExpiringTokenAuthentication
from um_portal.audit import access_log_record
from um_portal.exceptions import DomainError
from um_portal.models import AccessLog
from um_portal.parsers import BoundedJSONParser

from .authentication import SmartBearerAuthentication
from .capability import capability_statement
from .outcomes import FhirError, from_domain_error, operation_outcome, outcome_for
from .parsing import pas_request_read
from .responses import claim_response_bundle, inquiry_parameters
from .selectors import submission_for_response, subscriptions_for_user
from .services import pas_inquire, pas_submit, pas_submit_check
from .smart import ALGORITHMS, SCOPES, SmartError, smart_scope_check, token_issue
from .subscriptions import (
    subscription_create,
    subscription_create_check,
    subscription_delete,
    subscription_resource,
    subscription_status_parameters,
)

logger = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"


class FhirJSONParser(BoundedJSONParser):
    """Bounded nesting and no NUL characters, as every JSON endpoint (issue 12, item 8)."""

    media_type = FHIR_JSON


class PlainJSONParser(BoundedJSONParser):
    media_type = "application/json"


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FhirContentNegotiation(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header says (a browser asking for HTML included):
    this server speaks no other format, and an error must stay an OperationOutcome."""

    def select_parser(self, request, parsers):
        content_type = (request.content_type or "").split(";")[0].strip()
        return next((p for p in parsers if p.media_type == content_type), None)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# DRF's own refusals, as FHIR IssueType codes.
_DRF_CODES = [
    (exceptions.NotAuthenticated, "login"),
    (exceptions.AuthenticationFailed, "login"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "not-supported"),
    (exceptions.UnsupportedMediaType, "not-supported"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "structure"),
]


class FhirView(APIView):
    # SMART Backend Services bearer tokens first (its WWW-Authenticate on a 401), then the
    # portal's own token (expiring when idle, um_portal.api_tokens) and session.
    authentication_classes = [SmartBearerAuthentication, ExpiringTokenAuthentication, SessionAuthentication]
    parser_classes = [FhirJSONParser, PlainJSONParser]
    renderer_classes = [FhirJSONRenderer]
    content_negotiation_class = FhirContentNegotiation

    # SMART scopes a bearer token needs, per method: any one of them (pas.smart.SCOPES).
    smart_scopes: dict[str, tuple[str, ...]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        smart_scope_check(token=request.auth, allowed=self.smart_scopes.get(request.method, ()))
        # Refuse an oversized body before reading it (DATA_UPLOAD_MAX_MEMORY_SIZE does not
        # bound a DRF parser's stream).
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.PAS_MAX_BUNDLE_BYTES:
            limit = settings.PAS_MAX_BUNDLE_BYTES // 1048576
            raise FhirError(
                f"The request is larger than the {limit} MB this server takes.", code="too-costly", status=413
            )

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            exc = from_domain_error(exc)
        if isinstance(exc, FhirError):
            return Response(outcome_for(exc), status=exc.status)
        if isinstance(exc, exceptions.APIException):
            response = super().handle_exception(exc)
            code = next((c for kind, c in _DRF_CODES if isinstance(exc, kind)), "invalid")
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            response.data = operation_outcome(message=str(detail), code=code)
            return response
        logger.exception("Unexpected error under /fhir/")
        return Response(
            operation_outcome(message="The server could not process this request.", code="exception"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )


FHIR_SCHEMA = {
    "request": {FHIR_JSON: {"type": "object", "description": "A PAS request Bundle"}},
    "responses": {
        200: OpenApiResponse(description="A PAS response Bundle (ClaimResponse first)"),
        400: OpenApiResponse(description="OperationOutcome: the Bundle is not a PAS request this server can take"),
        404: OpenApiResponse(description="OperationOutcome: no such earlier request, or not yours"),
    },
}


class ClaimSubmitView(FhirView):
    """`POST /fhir/Claim/$submit`: a PAS request Bundle creates, updates or cancels a case."""

    smart_scopes = {"POST": ("system/Claim.c", "system/Claim.write")}

    @extend_schema(operation_id="fhir_claim_submit", **FHIR_SCHEMA)
    def post(self, request):
        pas_submit_check(user=request.user)
        submission, created = pas_submit(user=request.user, request=pas_request_read(request.data))
        bundle = claim_response_bundle(submission=submission, case=submission_for_response(submission))
        return Response(bundle, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ClaimInquireView(FhirView):
    """`POST /fhir/Claim/$inquire`: every matching authorization's current ClaimResponse."""

    smart_scopes = {"POST": ("system/Claim.r", "system/Claim.read")}

    @extend_schema(operation_id="fhir_claim_inquire", **FHIR_SCHEMA)
    def post(self, request):
        found = pas_inquire(user=request.user, request=pas_request_read(request.data))
        bundles = []
        for submission in found:
            case = submission_for_response(submission)
            access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
            bundles.append(claim_response_bundle(submission=submission, case=case))
        return Response(inquiry_parameters(bundles))


class SubscriptionListView(FhirView):
    """`POST /fhir/Subscription` (a backport Subscription to the PAS topic) and
    `GET /fhir/Subscription` (the organization's subscriptions, a searchset Bundle)."""

    smart_scopes = {"POST": ("system/Subscription.crud",), "GET": ("system/Subscription.crud",)}

    @extend_schema(operation_id="fhir_subscription_create", **FHIR_SCHEMA)
    def post(self, request):
        subscription_create_check(user=request.user)
        subscription = subscription_create(user=request.user, resource=request.data)
        body = subscription_resource(subscription, base=_base(request))
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{_base(request)}/Subscription/{subscription.pk}"},
        )

    @extend_schema(operation_id="fhir_subscription_search", responses={200: OpenApiResponse(description="Bundle")})
    def get(self, request):
        found = subscriptions_for_user(request.user)
        entries = [
            {
                "fullUrl": f"{_base(request)}/Subscription/{s.pk}",
                "resource": subscription_resource(s, base=_base(request)),
            }
            for s in found
        ]
        bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(entries)}
        if entries:
            bundle["entry"] = entries
        return Response(bundle)


class SubscriptionDetailView(FhirView):
    """`GET` and `DELETE /fhir/Subscription/<id>`: the organization's own only (404 otherwise)."""

    smart_scopes = {"GET": ("system/Subscription.crud",), "DELETE": ("system/Subscription.crud",)}

    def _subscription(self, request, subscription_id):
        subscription = subscriptions_for_user(request.user).filter(pk=subscription_id).first()
        if subscription is None:
            raise FhirError("No such subscription.", code="not-found", status=404)
        return subscription

    @extend_schema(operation_id="fhir_subscription_read", responses={200: OpenApiResponse(description="Subscription")})
    def get(self, request, subscription_id: int):
        return Response(subscription_resource(self._subscription(request, subscription_id), base=_base(request)))

    @extend_schema(operation_id="fhir_subscription_delete", responses={204: None})
    def delete(self, request, subscription_id: int):
        subscription_delete(user=request.user, subscription=self._subscription(request, subscription_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionStatusView(SubscriptionDetailView):
    """`GET /fhir/Subscription/<id>/$status`: the backport's status, a searchset Bundle
    holding the SubscriptionStatus Parameters (the notifications' first entry names it)."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(operation_id="fhir_subscription_status", responses={200: OpenApiResponse(description="Bundle")})
    def get(self, request, subscription_id: int):
        subscription = self._subscription(request, subscription_id)
        url = f"{_base(request)}/Subscription/{subscription.pk}/$status"
        entry = {"fullUrl": url, "resource": subscription_status_parameters(subscription, base=_base(request))}
        return Response({"resourceType": "Bundle", "type": "searchset", "total": 1, "entry": [entry]})


def _base(request) -> str:
    return request.build_absolute_uri("/fhir")


class MetadataView(FhirView):
    """`GET /fhir/metadata`: what this server does, as a CapabilityStatement."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(operation_id="fhir_metadata", responses={200: OpenApiResponse(description="CapabilityStatement")})
    def get(self, request):
        return Response(
            capability_statement(
                base=request.build_absolute_uri("/fhir"), token_url=request.build_absolute_uri(reverse("smart-token"))
            )
        )


class NotFoundView(FhirView):
    """Anything else under /fhir/: a `not-supported` OperationOutcome, not Django's HTML 404."""

    def _refuse(self, request, *args, **kwargs):
        raise FhirError(
            f"{request.method} {request.path} is not supported by this server.", code="not-supported", status=404
        )

    get = post = put = patch = delete = _refuse


def fhir_schema_paths(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: it reads `$` in a route as a regex anchor and
    drops it; FHIR operation names keep theirs (`/fhir/Claim/$submit`). The catch-all is left out."""
    return [
        (path.replace("/Claim/", "/Claim/$") if path.startswith("/fhir/Claim/") else path, regex, method, callback)
        for path, regex, method, callback in endpoints
        if getattr(callback, "cls", None) is not NotFoundView
    ]


@csrf_exempt
@require_POST
def smart_token(request):
    """`POST /auth/smart/token`: SMART Backend Services' token endpoint (OAuth2 client
    credentials, private_key_jwt). OAuth's own JSON errors (RFC 6749 5.2), not FHIR."""
    try:
        body = token_issue(form=request.POST, token_url=request.build_absolute_uri(request.path))
    except SmartError as exc:
        return JsonResponse(exc.body(), status=exc.status, headers={"Cache-Control": "no-store"})
    return JsonResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@require_GET
def smart_configuration(request):
    """`GET /fhir/.well-known/smart-configuration`: where and how to get a token."""
    return JsonResponse(
        {
            "token_endpoint": request.build_absolute_uri(reverse("smart-token")),
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS,
            "scopes_supported": list(SCOPES),
            "capabilities": ["client-confidential-asymmetric"],
        }
    )
