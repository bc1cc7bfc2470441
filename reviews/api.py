"""Reviewer API (API.md, "Reviewer actions"): thin views over reviews.services.

Each action answers the updated case (the API.md case shape) or an error in the API.md
shape; the services decide who may do what, so this door cannot do more than the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import case_for_user
from cases.serializers import CaseDetailSerializer, CaseListSerializer
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import NotAllowed, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from .selectors import QueueFilters, appeal_detail_queryset, appeals_page, case_detail_queryset, queue_page
from .services import appeals as appeal_services
from .services import assignment, decisions, pends

MEDICAL_NECESSITY_PERMS = frozenset({Perm.CASE_PARTIALLY_APPROVE, Perm.CASE_DENY_MEDICAL_NECESSITY})


class LineIn(serializers.Serializer):
    id = serializers.CharField()
    approved_units = serializers.IntegerField(min_value=0)


class VersionIn(serializers.Serializer):
    # Optional optimistic check: the case `version` the client last saw (409 if it moved on).
    version = serializers.IntegerField(required=False, min_value=1)


class AssignIn(VersionIn):
    username = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class PendIn(VersionIn):
    requested_information = serializers.CharField()
    respond_by = serializers.DateField()


class ApproveIn(VersionIn):
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    criteria_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    lines = LineIn(many=True, required=False)


class RouteIn(VersionIn):
    reason = serializers.CharField()
    physician = serializers.CharField(required=False, allow_blank=True, help_text="Username; empty: the pool.")


class DenyIn(VersionIn):
    basis = serializers.ChoiceField(choices=["medical_necessity", "benefit", "administrative"])
    reason = serializers.CharField()
    criteria_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, help_text="Signature: required on medical necessity."
    )


class PartialIn(VersionIn):
    reason = serializers.CharField()
    criteria_ids = serializers.ListField(child=serializers.IntegerField())
    lines = LineIn(many=True)
    password = serializers.CharField(
        write_only=True,
        help_text="Signature: the physician's password, or a current authenticator code where enrolled.",
    )


class AppealDecideIn(VersionIn):
    outcome = serializers.ChoiceField(choices=["upheld", "overturned", "partially_overturned"])
    reason = serializers.CharField()
    criteria_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    lines = LineIn(many=True, required=False)
    password = serializers.CharField(
        write_only=True,
        help_text="Signature: the physician's password, or a current authenticator code where enrolled.",
    )


def _case_response(request, case_id):
    case = case_detail_queryset().get(pk=case_id)
    access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
    return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseActionView(APIView):
    """POST an action on a case; answers the updated case."""

    input_serializer: type[serializers.Serializer] = VersionIn
    # Refuse a role that can never do this before reading the body (404 stranger, 403 role),
    # so a nurse's partial approval is a 403 whatever it contains. The service checks again
    # under the row lock.
    need: Perm = Perm.QUEUE_WORK

    def act(self, request, case_id, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, case_id):
        if not user_can(request.user, self.need) and self.need in MEDICAL_NECESSITY_PERMS:
            case_for_user(request.user, case_id)
            raise NotAllowed(decisions.MEDICAL_NECESSITY_REFUSED, code="physician_required")
        case_for_user(request.user, case_id, need=self.need)
        body = self.input_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.act(request, case_id, dict(body.validated_data))
        return _case_response(request, case_id)


def _schema(input_serializer, summary):
    return extend_schema(request=input_serializer, responses=CaseDetailSerializer, summary=summary)


class AssignView(CaseActionView):
    input_serializer = AssignIn
    need = Perm.CASE_ASSIGN

    @_schema(AssignIn, "Claim the case (username null) or reassign it")
    def post(self, request, case_id):
        return super().post(request, case_id)

    def act(self, request, case_id, data):
        username = data.get("username")
        assignee = assignment.reviewer_by_username(username=username) if username else None
        assignment.case_assign(
            case_id=case_id, actor=request.user, assignee=assignee, expected_version=data.get("version")
        )


class PendView(CaseActionView):
    input_serializer = PendIn
    need = Perm.CASE_PEND

    @_schema(PendIn, "Pend for information (notice to the provider)")
    def post(self, request, case_id):
        return super().post(request, case_id)

    def act(self, request, case_id, data):
        pends.case_pend(
            case_id=case_id,
            actor=request.user,
            requested_information=data["requested_information"],
            respond_by=data["respond_by"],
            expected_version=data.get("version"),
        )


class ApproveView(CaseActionView):
    input_serializer = ApproveIn
    need = Perm.CASE_APPROVE

    @_schema(ApproveIn, "Approve in full")
    def post(self, request, case_id):
        return super().post(request, case_id)

    def act(self, request, case_id, data):
        decisions.case_approve(
            case_id=case_id,
            actor=request.user,
            rationale=data["rationale"],
            criteria_ids=data["criteria_ids"],
            lines=data.get("lines"),
            expected_version=data.get("version"),
        )


class RouteView(CaseActionView):
    input_serializer = RouteIn
    need = Perm.CASE_ROUTE_TO_PHYSICIAN

    @_schema(RouteIn, "Route to physician review")
    def post(self, request, case_id):
        return super().post(request, case_id)

    def act(self, request, case_id, data):
        physician = None
        if data.get("physician"):
            physician = assignment.reviewer_by_username(username=data["physician"])
        pends.case_route_to_physician(
            case_id=case_id,
            actor=request.user,
            note=data["reason"],
            physician=physician,
            expected_version=data.get("version"),
        )


class DenyView(CaseActionView):
    input_serializer = DenyIn
    need = Perm.CASE_DENY_ADMINISTRATIVE

    @_schema(DenyIn, "Deny (medical necessity: licensed physician, signed)")
    def post(self, request, case_id):
        return super().post(request, case_id)

    def act(self, request, case_id, data):
        decisions.case_deny(
            case_id=case_id,
            actor=request.user,
            basis=data["basis"],
            reason=data["reason"],
            criteria_ids=data["criteria_ids"],
            password=data.get("password"),
            expected_version=data.get("version"),
        )


class PartiallyApproveView(CaseActionView):
    input_serializer = PartialIn
    need = Perm.CASE_PARTIALLY_APPROVE

    @_schema(PartialIn, "Partially approve per line (licensed physician, signed)")
    def post(self, request, case_id):
        return super().post(request, case_id)

    def act(self, request, case_id, data):
        decisions.case_partially_approve(
            case_id=case_id,
            actor=request.user,
            reason=data["reason"],
            criteria_ids=data["criteria_ids"],
            lines=data["lines"],
            password=data.get("password"),
            expected_version=data.get("version"),
        )


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
        page = queue_page(
            user=request.user,
            kind=self.kind,
            filters=QueueFilters.from_params(request.query_params),
            cursor=request.query_params.get("cursor"),
        )
        access_log_record_many(user=request.user, objs=page.rows, how=AccessLog.How.API, request=request)
        return Response(
            {
                "next": _page_url(request, page.next_cursor),
                "previous": _page_url(request, page.previous_cursor),
                "results": CaseListSerializer(page.rows, many=True).data,
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
    version = serializers.IntegerField()

    def get_member(self, appeal) -> dict:
        m = appeal.case.member
        return {"member_number": m.member_number, "name": m.name}

    def get_decided_by(self, appeal) -> dict | None:
        user = appeal.decided_by
        return {"name": user.display_name, "credentials": user.credentials} if user else None

    def get_decision_appealed(self, appeal) -> dict:
        d = appeal.decision_appealed
        return {
            "outcome": d.outcome,
            "basis": d.basis or None,
            "reason": d.reason,
            "decided_by": {"name": d.decided_by.display_name, "credentials": d.decided_by.credentials},
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
        data = AppealSerializer(appeal).data
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
        )
        appeal = _appeal_for_user(request.user, appeal_id)
        return Response(AppealSerializer(appeal).data)
