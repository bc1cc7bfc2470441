"""Auto-approval rules API (UM administrators): write a version, simulate it, switch it on.
Thin: the services hold every rule, including "a rule can only approve"."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api import error_responses
from um_portal.exceptions import NotAllowed
from um_portal.roles import Perm, user_can

from .reports import auto_approval_metrics
from .selectors import rule_versions_list
from .services import rules as rule_services
from .services.simulate import simulation_for_admin, simulation_start


def _admin_only(user) -> None:
    if not user_can(user, Perm.CONFIGURE):
        raise NotAllowed("Only UM administrators manage auto-approval rules.")


class RuleVersionIn(serializers.Serializer):
    rule_name = serializers.CharField(max_length=120)
    conditions = serializers.JSONField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True, default=None)
    # Free text on purpose: the service answers "a rule can only approve" in words.
    action = serializers.CharField(max_length=20, required=False, default="approve")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RuleVersionOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    rule = serializers.CharField(source="rule.name")
    version = serializers.IntegerField()
    status = serializers.CharField()
    action = serializers.CharField()
    conditions = serializers.JSONField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    locked = serializers.BooleanField(source="is_locked")


class SimulateIn(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class SimulationOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    rule_version_id = serializers.IntegerField(source="version_id")
    status = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    matched = serializers.IntegerField()
    human_denied = serializers.IntegerField()
    human_reduced = serializers.IntegerField()
    adverse_cases = serializers.JSONField()
    needs_signoff = serializers.BooleanField()


class RuleVersionListView(APIView):
    """Every rule version (GET); a new draft version (POST)."""

    @extend_schema(responses={200: RuleVersionOut(many=True), **error_responses(401, 403)})
    def get(self, request):
        _admin_only(request.user)
        # 1 query: versions with their rule.
        return Response(RuleVersionOut(rule_versions_list()[:500], many=True).data)

    @extend_schema(request=RuleVersionIn, responses={201: RuleVersionOut, **error_responses(400, 401, 403)})
    def post(self, request):
        _admin_only(request.user)  # before the body is read: a refused caller learns nothing more
        given = RuleVersionIn(data=request.data)
        given.is_valid(raise_exception=True)
        version = rule_services.rule_version_create(actor=request.user, **given.validated_data)
        return Response(RuleVersionOut(version).data, status=status.HTTP_201_CREATED)


class RuleVersionSimulateView(APIView):
    @extend_schema(request=SimulateIn, responses={202: SimulationOut, **error_responses(400, 401, 403)})
    def post(self, request, version_id: int):
        _admin_only(request.user)
        given = SimulateIn(data=request.data)
        given.is_valid(raise_exception=True)
        simulation = simulation_start(actor=request.user, version_id=version_id, **given.validated_data)
        return Response(SimulationOut(simulation).data, status=status.HTTP_202_ACCEPTED)


class RuleVersionSwitchOnView(APIView):
    @extend_schema(request=None, responses={200: RuleVersionOut, **error_responses(401, 403, 409)})
    def post(self, request, version_id: int):
        version = rule_services.rule_version_switch_on(actor=request.user, version_id=version_id)
        return Response(RuleVersionOut(version).data)


class SimulationDetailView(APIView):
    @extend_schema(responses={200: SimulationOut, **error_responses(401, 403, 404)})
    def get(self, request, simulation_id: int):
        return Response(SimulationOut(simulation_for_admin(actor=request.user, simulation_id=simulation_id)).data)


class AutoApprovalReportView(APIView):
    """GET /api/v1/reports/auto-approval/?year=2026: share auto-approved by rule, line of
    business and month; receipt-to-decision time, rule versus human. UMOC staff; no PHI."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="Calendar year of receipt (default: this year).")],
        responses={
            200: inline_serializer(
                "AutoApprovalReport",
                {
                    "year": serializers.IntegerField(),
                    "requests_received": serializers.IntegerField(),
                    "auto_approved": serializers.IntegerField(),
                    "auto_approved_percent": serializers.FloatField(allow_null=True),
                    "by_month": serializers.ListField(child=serializers.DictField()),
                    "by_line_of_business": serializers.ListField(child=serializers.DictField()),
                    "by_rule": serializers.ListField(child=serializers.DictField()),
                    "receipt_to_decision": serializers.DictField(),
                },
            ),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        if not user_can(request.user, Perm.CASE_VIEW_ALL):
            raise NotAllowed("The automation report is for UMOC staff.")
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(auto_approval_metrics(year=query.validated_data.get("year") or timezone.localdate().year))


class ReportQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2020, max_value=2100)
