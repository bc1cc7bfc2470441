"""GET /api/v1/reason-codes/: the reason-code catalogue in use (issue 16, item 2), what the
decision endpoints accept as `reason_code`. Not PHI: any signed-in user may read it."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors_reasons import reason_codes_in_use


class ReasonCodeOut(serializers.Serializer):
    code = serializers.CharField()
    x12_code = serializers.CharField(help_text="HCR03 of the X12 278 response (PAS reviewAction.reasonCode).")
    kinds = serializers.ListField(child=serializers.CharField())
    basis = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    member_text = serializers.CharField()
    catalogue_version = serializers.CharField(source="catalogue.version")


class ReasonCodeListView(APIView):
    @extend_schema(responses=ReasonCodeOut(many=True))
    def get(self, request):
        return Response(ReasonCodeOut(reason_codes_in_use(on=timezone.localdate()), many=True).data)
