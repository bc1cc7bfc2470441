"""Criteria API: the versions in force for a code on a date (API.md)."""

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import criteria_in_force


class CriteriaVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="criteria_set.name")
    source = serializers.CharField(source="criteria_set.source")
    version = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    indications = serializers.ListField(child=serializers.CharField())


class CriteriaQuerySerializer(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=False, max_length=5)
    service_category = serializers.CharField(required=False, allow_blank=False, max_length=30)
    on = serializers.DateField(required=False)

    def validate(self, attrs):
        if not attrs.get("code") and not attrs.get("service_category"):
            raise serializers.ValidationError({"code": ["Give a code (CPT/HCPCS) or a service_category."]})
        return attrs


class CriteriaInForceView(APIView):
    """Criteria versions in force for a code (or service category) on a date (default today).
    Any logged-in user: criteria are not PHI and providers may consult them."""

    @extend_schema(
        parameters=[
            OpenApiParameter("code", str, description="CPT or HCPCS code"),
            OpenApiParameter("service_category", str),
            OpenApiParameter("on", date, description="Date of service, YYYY-MM-DD (default today)"),
        ],
        responses=CriteriaVersionSerializer(many=True),
    )
    def get(self, request):
        query = CriteriaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        versions = criteria_in_force(
            on=data.get("on") or timezone.localdate(),
            codes=[data["code"]] if data.get("code") else [],
            service_categories=[data["service_category"]] if data.get("service_category") else [],
        )
        return Response(CriteriaVersionSerializer(versions, many=True).data)
