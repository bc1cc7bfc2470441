"""API plumbing shared by every app: the error shape of API.md.

`{"detail": "human sentence", "code": "machine_code", "errors": {field: [msgs]}}`
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import DomainError


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {key: [str(m) for m in (value if isinstance(value, list) else [value])] for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(
            {"detail": exc.message, "code": exc.code, "errors": exc.errors},
            status=exc.status_code,
        )
    if isinstance(exc, RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return Response(
            {
                "detail": f"The request body is larger than {limit_mb} MB. Send documents as file uploads.",
                "code": "too_large",
                "errors": {},
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: it does not exist or is not yours.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next((f"{field}: {msgs[0]}" for field, msgs in errors.items() if msgs), "Invalid input.")
        response.data = {"detail": f"Invalid input. {first}", "code": "invalid", "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = {"detail": str(detail or exc), "code": code, "errors": {}}
    return response


class ErrorSerializer(serializers.Serializer):
    """The error shape of API.md."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def error_responses(*codes: int) -> dict:
    """Schema entries for the error answers an endpoint may give."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` says which field and why.",
    401: "Not authenticated, or the account is inactive or locked.",
    403: "Authenticated but not allowed to do this.",
    404: "Does not exist, or is not yours.",
    409: "The object is not in a state that allows this, or someone changed it first.",
    413: "Upload too large.",
    415: "File type refused.",
    429: "Too many requests: slow down.",
    503: "A part this depends on is down (signing while Redis is unreachable): nothing was written; try again.",
}

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The same key from the same user within 24 hours answers the first response and creates nothing.",
)


def _payload(request):
    data = request.data
    if hasattr(data, "lists"):  # QueryDict (multipart or form): files by name and size
        payload = {key: values for key, values in data.lists() if not hasattr(values[0], "read")}
        payload["_files"] = sorted(
            (name, getattr(f, "name", ""), getattr(f, "size", 0))
            for name, files in request.FILES.lists()
            for f in files
        )
        return payload
    return data


def idempotent_response(request, run) -> Response:
    """Answer a creating POST once per Idempotency-Key (see um_portal.idempotency)."""
    from .idempotency import idempotent_run

    status_code, body, replayed = idempotent_run(
        user=request.user,
        key=request.headers.get("Idempotency-Key"),
        path=request.path,
        payload=_payload(request),
        run=run,
    )
    response = Response(body, status=status_code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
