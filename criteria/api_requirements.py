"""Coverage requirements API: does a code need prior authorization (API.md)."""

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .codes import LINES_OF_BUSINESS, procedure_code_system
from .models import CoverageRequirement
from .selectors_requirements import coverage_requirement_answer


class RequirementQuerySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5)
    line_of_business = serializers.ChoiceField(choices=LINES_OF_BUSINESS, required=False)
    state = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, error_messages={"invalid": "Two letters."})
    place_of_service = serializers.RegexField(r"^[0-9]{2}$", required=False, error_messages={"invalid": "Two digits."})
    network_status = serializers.ChoiceField(choices=["in_network", "out_of_network"], required=False)
    on = serializers.DateField(required=False)

    def validate_code(self, value):
        value = value.strip().upper()
        if procedure_code_system(value) is None:
            raise serializers.ValidationError(f"{value} is not a CPT or HCPCS code (e.g. 27447, E0601).")
        return value


class CriteriaCitedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="criteria_set.name")
    source = serializers.CharField(source="criteria_set.source")
    version = serializers.CharField()


class RequirementMatchSerializer(serializers.Serializer):
    policy = serializers.CharField(source="requirement.policy")
    version = serializers.IntegerField(source="requirement.version")
    service = serializers.CharField(source="requirement.service")
    codes = serializers.ListField(child=serializers.CharField(), source="requirement.codes")
    effective_from = serializers.DateField(source="requirement.effective_from")
    effective_to = serializers.DateField(source="requirement.effective_to", allow_null=True)
    required_when = serializers.ListField(child=serializers.CharField(), source="open_conditions")
    documentation = serializers.ListField(child=serializers.CharField(), source="requirement.documentation")
    criteria = CriteriaCitedSerializer(many=True)


class RequirementAnswerSerializer(serializers.Serializer):
    code = serializers.CharField()
    on = serializers.DateField()
    status = serializers.ChoiceField(choices=["required", "not_required", "required_only_when"])
    summary = serializers.CharField()
    documentation = serializers.ListField(child=serializers.CharField())
    requirements = RequirementMatchSerializer(many=True, source="matches")


class CoverageRequirementsView(APIView):
    """Does this CPT/HCPCS code need prior authorization for this line of business, state,
    place of service and network status on this date (default today)? With the documentation
    to send and the criteria to cite. Not PHI: any logged-in user."""

    @extend_schema(
        parameters=[
            OpenApiParameter("code", str, required=True, description="CPT or HCPCS code"),
            OpenApiParameter("line_of_business", str, enum=list(LINES_OF_BUSINESS)),
            OpenApiParameter("state", str, description="Two-letter state of the member's plan"),
            OpenApiParameter("place_of_service", str, description="CMS place-of-service code"),
            OpenApiParameter("network_status", str, enum=[CoverageRequirement.Network.IN_NETWORK, "out_of_network"]),
            OpenApiParameter("on", date, description="Date of service, YYYY-MM-DD (default today)"),
        ],
        responses=RequirementAnswerSerializer,
    )
    def get(self, request):
        query = RequirementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        answer = coverage_requirement_answer(
            code=data["code"],
            on=data.get("on") or timezone.localdate(),
            line_of_business=data.get("line_of_business", ""),
            state=data.get("state", ""),
            place_of_service=data.get("place_of_service", ""),
            network_status=data.get("network_status", ""),
        )
        return Response(RequirementAnswerSerializer(answer).data)
