"""Concurrent review API (API.md, "Authorizations, stays and changes"): the queue of stays
due for review and the nurse's actions on a stay. Thin: the same selectors and services
as the pages; errors in the API.md shape (400, 403, 404, 409)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import stay_for_user
from cases.models import InpatientStay
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import NotAllowed
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from .selectors_stays import StayRow, concurrent_queue_page, stay_detail
from .services import stays as stay_services


def _page_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _require_queue(user) -> None:
    if not user_can(user, Perm.QUEUE_WORK):
        raise NotAllowed("Only UM nurses and physicians work the concurrent review queue.")


class StaySerializer(serializers.Serializer):
    """Read-only over a StayRow (STYLE.md: no ModelSerializer on queues)."""

    id = serializers.IntegerField(source="stay.pk")
    version = serializers.IntegerField(source="stay.version")
    member = serializers.SerializerMethodField()
    facility = serializers.CharField(source="stay.facility.name")
    admission_case_reference = serializers.CharField(source="stay.case.reference")
    admitted_at = serializers.DateTimeField(source="stay.admitted_at")
    length_of_stay_days = serializers.IntegerField(source="los_days")
    expected_length_of_stay_days = serializers.DecimalField(
        source="expected_days", max_digits=5, decimal_places=2, allow_null=True
    )
    expected_from = serializers.SerializerMethodField()
    over_expected = serializers.BooleanField()
    authorized_days = serializers.IntegerField(source="stay.authorized_days")
    authorized_through = serializers.DateField(source="stay.authorized_through")
    next_review_on = serializers.DateField(source="stay.next_review_on", allow_null=True)
    overdue_days = serializers.IntegerField()
    discharge_planning_notes = serializers.CharField(source="stay.discharge_planning_notes")
    discharged_at = serializers.DateTimeField(source="stay.discharged_at", allow_null=True)
    open_review = serializers.SerializerMethodField()

    def get_member(self, row: StayRow) -> dict:
        m = row.stay.member
        return {"member_number": m.member_number, "name": m.name}

    def get_expected_from(self, row: StayRow) -> dict | None:
        norm = row.stay.los_norm
        if norm is None:
            return None
        return {"grouping": norm.grouping, "code": norm.code, "description": norm.description}

    def get_open_review(self, row: StayRow) -> dict | None:
        review = row.stay.open_review
        if review is None:
            return None
        case = review.case
        return {
            "case_id": str(case.pk),
            "reference": case.reference,
            "days_requested": review.days_requested,
            "status": case.status,
            "decision_due_at": case.decision_due_at,
        }


class ConcurrentQueueView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str)],
        responses=inline_serializer(
            "ConcurrentQueuePage",
            {
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": StaySerializer(many=True),
            },
        ),
    )
    def get(self, request):
        _require_queue(request.user)
        page = concurrent_queue_page(cursor=request.query_params.get("cursor"))
        access_log_record_many(
            user=request.user, objs=[r.stay for r in page.rows], how=AccessLog.How.API, request=request
        )
        return Response(
            {
                "next": _page_url(request, page.next_cursor),
                "previous": _page_url(request, page.previous_cursor),
                "results": StaySerializer(page.rows, many=True).data,
            }
        )


class _StayIn(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class StayApproveDaysIn(_StayIn):
    # Required here: approving opens a request when none is open, so a retried or doubled
    # call without the version the nurse saw would approve the same days twice.
    version = serializers.IntegerField(min_value=1)
    # Shape only (any integer): the service says what is wrong with 0, -2 or 40 days.
    days = serializers.IntegerField()
    next_review_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StayRouteIn(_StayIn):
    days = serializers.IntegerField()
    note = serializers.CharField()


class StayDischargeIn(_StayIn):
    discharged_at = serializers.DateTimeField()
    disposition = serializers.ChoiceField(choices=InpatientStay.Disposition.choices)


class StayNoteIn(_StayIn):
    note = serializers.CharField()


def _stay_answer(request, stay_id) -> Response:
    stay = stay_for_user(request.user, stay_id)
    access_log_record(user=request.user, obj=stay, how=AccessLog.How.API, request=request)
    return Response(StaySerializer(stay_detail(stay=stay)).data)


class StayDetailView(APIView):
    @extend_schema(responses=StaySerializer)
    def get(self, request, stay_id):
        stay_for_user(request.user, stay_id)
        _require_queue(request.user)
        return _stay_answer(request, stay_id)


def _action_view(body_class, run, summary: str):
    class _View(APIView):
        @extend_schema(request=body_class, responses=StaySerializer, summary=summary)
        def post(self, request, stay_id):
            stay_for_user(request.user, stay_id)  # 404 before anything for strangers
            _require_queue(request.user)
            body = body_class(data=request.data)
            body.is_valid(raise_exception=True)
            run(request.user, stay_id, body.validated_data)
            return _stay_answer(request, stay_id)

    _View.__name__ = f"{body_class.__name__[:-2]}View"
    return _View


StayApproveDaysView = _action_view(
    StayApproveDaysIn,
    lambda actor, stay_id, d: stay_services.stay_days_approve(
        stay_id=stay_id,
        actor=actor,
        days=d["days"],
        next_review_on=d.get("next_review_on"),
        expected_version=d["version"],
        note=d.get("note", ""),
    ),
    "Approve more days (a concurrent review approved in full) with the next review date",
)
StayRouteView = _action_view(
    StayRouteIn,
    lambda actor, stay_id, d: stay_services.stay_route_to_physician(
        stay_id=stay_id, actor=actor, days=d["days"], note=d["note"], expected_version=d.get("version")
    ),
    "Route a request for more days to a physician",
)
StayDischargeView = _action_view(
    StayDischargeIn,
    lambda actor, stay_id, d: stay_services.stay_discharge_record(
        stay_id=stay_id,
        actor=actor,
        discharged_at=d["discharged_at"],
        disposition=d["disposition"],
        expected_version=d.get("version"),
    ),
    "Record the discharge",
)
StayNoteView = _action_view(
    StayNoteIn,
    lambda actor, stay_id, d: stay_services.stay_note_add(
        stay_id=stay_id, actor=actor, text=d["note"], expected_version=d.get("version")
    ),
    "Add a discharge planning note",
)
