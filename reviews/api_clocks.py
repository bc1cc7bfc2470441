"""API for the decision clocks: extending a case's deadline (API.md, reviewer actions)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.serializers import CaseDetailSerializer
from um_portal.audit import access_log_record

from .models import Extension
from .selectors import case_detail_queryset
from .services.extensions import case_extend


class ExtendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    # API.md's contract is `{"reason"}`; the ground is an addition. Left out, it is the usual
    # plan-side ground: outside information is needed and waiting is in the member's interest.
    ground = serializers.ChoiceField(
        choices=Extension.Ground.choices,
        required=False,
        default=Extension.Ground.OUTSIDE_INFORMATION,
        help_text="Why: member_request, or outside_information (default).",
    )


class CaseExtendView(APIView):
    """Extend the decision deadline once, where a rule allows it; 409 otherwise."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ExtendInputSerializer, responses={200: CaseDetailSerializer})
    def post(self, request, case_id):
        data = ExtendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_extend(
            case_id=case_id,
            actor=request.user,
            ground=data.validated_data["ground"],
            reason=data.validated_data["reason"],
        )
        case = case_detail_queryset().get(pk=case_id)
        access_log_record(user=request.user, obj=case, how="api", request=request)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


urlpatterns = [
    path("authorizations/<uuid:case_id>/extend/", CaseExtendView.as_view(), name="api-case-extend"),
]
