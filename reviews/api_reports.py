"""GET /api/v1/reports/prior-authorization-metrics/?year=2026&contract=H1234 — public, aggregate only."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.exceptions import NotFound, ValidationFailed

from .reporting.public import published_metrics


class MetricsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2020, max_value=2100)
    contract = serializers.CharField(required=False, allow_blank=True, max_length=20)


class PriorAuthorizationMetricsView(APIView):
    """The yearly prior-authorization metrics CMS-0057-F asks payers to publish (no PHI)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Calendar year of receipt (default: this year)."),
            OpenApiParameter("contract", str, description="MA contract or Medicaid/CHIP plan number (default: all)."),
        ],
        responses=inline_serializer(
            "PriorAuthorizationMetrics",
            {
                "year": serializers.IntegerField(),
                "contract": serializers.CharField(),
                "items_requiring_prior_authorization": serializers.ListField(child=serializers.CharField()),
                "requests_received": serializers.IntegerField(),
                "requests_decided": serializers.IntegerField(),
                "standard": serializers.DictField(),
                "expedited": serializers.DictField(),
                "extended_and_approved_percent": serializers.FloatField(allow_null=True),
            },
        ),
    )
    def get(self, request):
        query = MetricsQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationFailed("year must be a whole number between 2020 and 2100.", errors=query.errors)
        year = query.validated_data.get("year") or timezone.localdate().year
        contract = query.validated_data.get("contract", "")
        published = published_metrics(year=year, contract=contract)
        if published is None:
            raise NotFound(f"There is no contract or plan numbered {contract!r}.")
        return Response(published.figures)
