"""`GET /api/v1/contact/route/?inquiry=...&at=...` (API.md): which line answers, no login."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import LineOfBusiness

from .models import InquiryKind
from .routing import MAX_YEAR, MIN_YEAR, route_inquiry


class BoundedDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with datetime's own limits answered as a 400, not a 500
    (a naive 9999-12-31T23:00 in New York overflows on its way to UTC)."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError as exc:
            raise serializers.ValidationError("Datetime value out of range.") from exc


class RouteQuerySerializer(serializers.Serializer):
    inquiry = serializers.ChoiceField(choices=InquiryKind.choices)
    at = BoundedDateTimeField(
        required=False, help_text="ISO 8601; without an offset it is read in the plan's time zone. Default: now."
    )
    line_of_business = serializers.ChoiceField(choices=LineOfBusiness.choices, required=False)

    def validate_at(self, value):
        # Routing looks two weeks ahead and reads that year's holidays: keep to years the
        # calendar means something for (and away from datetime's limits).
        if not (MIN_YEAR <= value.year <= MAX_YEAR):
            raise serializers.ValidationError(f"Give a moment between {MIN_YEAR} and {MAX_YEAR}.")
        return value


RouteAnswer = inline_serializer(
    name="ContactRoute",
    fields={
        "line": serializers.CharField(),
        "phone": serializers.CharField(),
        "open_now": serializers.BooleanField(),
        "opens_at": serializers.DateTimeField(allow_null=True),
        "hours": serializers.CharField(),
    },
)


class ContactRouteView(APIView):
    """Which phone line answers an inquiry at a moment (default now), holiday-aware, in the
    plan's time zone; when closed, when it next opens."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(parameters=[RouteQuerySerializer], responses={200: RouteAnswer})
    def get(self, request):
        query = RouteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        route = route_inquiry(
            inquiry=query.validated_data["inquiry"],
            at=query.validated_data.get("at"),
            line_of_business=query.validated_data.get("line_of_business"),
        )
        return Response(route.as_dict())
