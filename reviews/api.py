"""Reviewer API (API.md, "Reviewer actions"): thin views over reviews.services.

The case actions are the generic door over their declarations (`reviews.actions`): each
answers the updated case (the API.md case shape) or an error in the API.md shape; the
services decide who may do what, so this door cannot do more than the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import case_for_user
from cases.api.action_views import action_api_view
from cases.selectors import CaseRead
from cases.serializers import CaseListSerializer, case_list_rows_json
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import NotAllowed, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm, Role, user_can, user_role

from .actions import REVIEW_ACTIONS
from .api_inputs import AppealDecideIn
from .selectors import QueueFilters, appeal_detail_queryset, appeals_page, queue_values_page
from .services import appeals as appeal_services

AssignView = action_api_view(REVIEW_ACTIONS["assign"])
PendView = action_api_view(REVIEW_ACTIONS["pend"])
ApproveView = action_api_view(REVIEW_ACTIONS["approve"])
RouteView = action_api_view(REVIEW_ACTIONS["route"])
DenyView = action_api_view(REVIEW_ACTIONS["deny"])
PartiallyApproveView = action_api_view(REVIEW_ACTIONS["partial"])
ExtendView = action_api_view(REVIEW_ACTIONS["extend"])


class QueueView(APIView):
    kind = "nurse"

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str),
            OpenApiParameter("urgency", str),
            OpenApiParameter("service_category", str),
            OpenApiParameter("status", str),
            OpenApiParameter("assignee", str, description='A username, "me" or "none".'),
            OpenApiParameter("line_of_business", str),
        ],
        responses=inline_serializer(
            "CaseQueuePage",
            {
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": CaseListSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        # Any role without queue work is refused here (403), as on the pages.
        _require(request.user, Perm.QUEUE_WORK)
        page = queue_values_page(
            user=request.user,
            kind=self.kind,
            filters=QueueFilters.from_params(request.query_params),
            cursor=request.query_params.get("cursor"),
        )
        access_log_record_many(
            user=request.user,
            objs=[CaseRead(row["id"], row["member_id"]) for row in page.rows],
            how=AccessLog.How.API,
            request=request,
        )
        return Response(
            {
                "next": _page_url(request, page.next_cursor),
                "previous": _page_url(request, page.previous_cursor),
                "results": case_list_rows_json(page.rows, user=request.user),
            }
        )


class NurseQueueView(QueueView):
    kind = "nurse"


class PhysicianQueueView(QueueView):
    kind = "physician"


def _require(user, perm: Perm) -> None:
    if not user_can(user, perm):
        raise NotAllowed("Your role does not allow this.")


def _page_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.UUIDField(source="case.pk")
    case_reference = serializers.CharField(source="case.reference")
    member = serializers.SerializerMethodField()
    status = serializers.CharField()
    expedited = serializers.BooleanField()
    reason = serializers.CharField()
    filed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    outcome = serializers.CharField(allow_blank=True)
    outcome_reason = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.SerializerMethodField()
    decision_appealed = serializers.SerializerMethodField()
    reason_code = serializers.CharField(source="coded_reason.code", allow_null=True, default=None)
    version = serializers.IntegerField()

    def get_member(self, appeal) -> dict:
        m = appeal.case.member
        return {"member_number": m.member_number, "name": m.name}

    def _name(self, user) -> str:
        # Providers never see a staff username (issue 12): a name, or the plan's.
        request = self.context.get("request")
        if request is not None and user_role(request.user) == Role.PROVIDER:
            return user.public_name
        return user.display_name

    def get_decided_by(self, appeal) -> dict | None:
        user = appeal.decided_by
        return {"name": self._name(user), "credentials": user.credentials} if user else None

    def get_decision_appealed(self, appeal) -> dict:
        d = appeal.decision_appealed
        return {
            "outcome": d.outcome,
            "basis": d.basis or None,
            "reason": d.reason,
            "decided_by": {"name": self._name(d.decided_by), "credentials": d.decided_by.credentials},
            "decided_at": d.decided_at.isoformat(),
        }


class AppealQueueItemSerializer(AppealSerializer):
    you_took_part = serializers.BooleanField(source="user_involved")


class AppealQueueView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str)],
        responses=inline_serializer(
            "AppealQueuePage",
            {
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": AppealQueueItemSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        _require(request.user, Perm.APPEAL_DECIDE)
        page = appeals_page(user=request.user, cursor=request.query_params.get("cursor"))
        access_log_record_many(
            user=request.user, objs=[a.case for a in page.rows], how=AccessLog.How.API, request=request
        )
        return Response(
            {
                "next": _page_url(request, page.next_cursor),
                "previous": _page_url(request, page.previous_cursor),
                "results": AppealQueueItemSerializer(page.rows, many=True).data,
            }
        )


def _appeal_for_user(user, appeal_id):
    try:
        pk = int(appeal_id)
    except (TypeError, ValueError):
        raise NotFound("No such appeal.") from None
    appeal = appeal_detail_queryset().filter(pk=pk).first()
    if appeal is None:
        raise NotFound("No such appeal.")
    # The case's access rule is the appeal's: 404 where the case is not visible.
    case_for_user(user, appeal.case_id)
    return appeal


class AppealDetailView(APIView):
    @extend_schema(responses=AppealSerializer)
    def get(self, request, appeal_id):
        appeal = _appeal_for_user(request.user, appeal_id)
        access_log_record(user=request.user, obj=appeal.case, how=AccessLog.How.API, request=request)
        data = AppealSerializer(appeal, context={"request": request}).data
        return Response(data)


class AppealDecideView(APIView):
    @extend_schema(request=AppealDecideIn, responses=AppealSerializer)
    def post(self, request, appeal_id):
        if not user_can(request.user, Perm.APPEAL_DECIDE):
            _appeal_for_user(request.user, appeal_id)
            raise NotAllowed("Only a physician who took no part in the decision appealed may decide an appeal.")
        body = AppealDecideIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        appeal_services.appeal_decide(
            appeal_id=appeal_id,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            criteria_ids=data["criteria_ids"],
            lines=data.get("lines"),
            password=data.get("password"),
            expected_version=data.get("version"),
            reason_code=data.get("reason_code"),
        )
        appeal = _appeal_for_user(request.user, appeal_id)
        return Response(AppealSerializer(appeal, context={"request": request}).data)
