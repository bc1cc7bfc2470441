"""FHIR endpoints (Da Vinci PAS): thin doors onto the intake service and the case selector.
Errors answer a FHIR OperationOutcome with the same status codes as the JSON API."""

import uuid

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews.selectors import case_detail_queryset
from um_portal.audit import access_log_record
from um_portal.exceptions import DomainError, NotAllowed, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from .access import cases_visible_to
from .fhir import claim_response_bundle, operation_outcome, pas_inquiry_reference, pas_submission_parse
from .models import Channel
from .services.intake import authorization_submit


class FhirJSONParser(JSONParser):
    media_type = "application/fhir+json"


class FhirJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class _FhirView(APIView):
    parser_classes = [FhirJSONParser, JSONParser]
    renderer_classes = [FhirJSONRenderer, JSONRenderer]

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            return Response(
                operation_outcome(message=exc.message, code=exc.code, errors=exc.errors), status=exc.status_code
            )
        response = super().handle_exception(exc)
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = operation_outcome(
            message=str(detail) or "Request refused.",
            code="security" if response.status_code in (401, 403) else "invalid",
        )
        return response


FHIR_SCHEMA = {
    "request": {"application/fhir+json": {"type": "object", "description": "A PAS request Bundle"}},
    "responses": {
        200: OpenApiResponse(description="A PAS response Bundle with the ClaimResponse"),
        400: OpenApiResponse(description="OperationOutcome: the Bundle is not a valid PAS request"),
        404: OpenApiResponse(description="OperationOutcome: no such case, or not yours"),
    },
}


class ClaimSubmitView(_FhirView):
    """`POST /fhir/Claim/$submit`: a PAS request Bundle creates a case like the JSON API."""

    @extend_schema(operation_id="fhir_claim_submit", **FHIR_SCHEMA)
    def post(self, request):
        # The role first, before the body is read: a refused caller learns nothing more.
        if not (user_can(request.user, Perm.CASE_SUBMIT) or user_can(request.user, Perm.CASE_ENTER_FOR_OTHERS)):
            raise NotAllowed("Your role does not allow submitting requests.")
        arguments = pas_submission_parse(request.data)
        case = authorization_submit(user=request.user, door=Channel.FHIR, confirm_duplicate=True, **arguments)
        case = case_detail_queryset().get(pk=case.pk)
        return Response(claim_response_bundle(case=case), status=status.HTTP_201_CREATED)


class ClaimInquireView(_FhirView):
    """`POST /fhir/Claim/$inquire`: the current ClaimResponse of an earlier submission."""

    @extend_schema(operation_id="fhir_claim_inquire", **FHIR_SCHEMA)
    def post(self, request):
        wanted = pas_inquiry_reference(request.data)
        visible = cases_visible_to(request.user, case_detail_queryset())
        case = visible.filter(reference=wanted).first()
        if case is None and _is_uuid(wanted):
            case = visible.filter(pk=wanted).first()
        if case is None:
            raise NotFound("No such case.")
        access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
        return Response(claim_response_bundle(case=case))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def fhir_schema_paths(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: it reads `$` in a route as a regex anchor and
    drops it; FHIR operation names keep theirs (`/fhir/Claim/$submit`)."""
    return [
        (path.replace("/Claim/", "/Claim/$") if path.startswith("/fhir/Claim/") else path, regex, method, callback)
        for path, regex, method, callback in endpoints
    ]
