"""GET/PUT /api/v1/authorizations/{id}/worksheet/ (issue 16, item 1): the reviewer's draft
worksheet and the other reviewers' drafts beside it; PUT replaces the caller's draft
through the same service as the review page."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import case_for_user
from um_portal.audit import access_log_record
from um_portal.models import AccessLog
from um_portal.roles import Perm

from .selectors_worksheet import worksheets_for_review
from .services.worksheets import worksheet_save


class AnswerIn(serializers.Serializer):
    criteria_id = serializers.IntegerField()
    index = serializers.IntegerField(min_value=0, help_text="Position of the criterion in the version's checklist.")
    answer = serializers.ChoiceField(choices=["met", "not_met", "not_applicable", "not_documented"])
    attachment = serializers.CharField(required=False, allow_blank=True, help_text="A document of this case (id).")
    page = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True)


class WorksheetIn(serializers.Serializer):
    answers = AnswerIn(many=True)


class AnswerOut(serializers.Serializer):
    criteria_id = serializers.IntegerField(source="criteria_version_id")
    index = serializers.IntegerField(source="indication_index")
    indication = serializers.CharField()
    answer = serializers.CharField()
    attachment = serializers.CharField(source="evidence_attachment_id", allow_null=True)
    page = serializers.IntegerField(source="evidence_page", allow_null=True)
    note = serializers.CharField(source="evidence_note")


class WorksheetOut(serializers.Serializer):
    reviewer = serializers.CharField(source="reviewer.display_name")
    role = serializers.CharField(source="reviewer_role")
    updated_at = serializers.DateTimeField()
    answers = AnswerOut(many=True, source="answers.all")


WorksheetsOut = inline_serializer(
    "Worksheets", {"mine": WorksheetOut(allow_null=True), "others": WorksheetOut(many=True)}
)


def _answer(request, case):
    sheets = worksheets_for_review(case=case, user=request.user)
    return Response(
        {
            "mine": WorksheetOut(sheets.mine).data if sheets.mine else None,
            "others": WorksheetOut(sheets.others, many=True).data,
        }
    )


class WorksheetView(APIView):
    @extend_schema(responses=WorksheetsOut)
    def get(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.QUEUE_WORK)
        access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
        return _answer(request, case)

    @extend_schema(request=WorksheetIn, responses=WorksheetsOut)
    def put(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.QUEUE_WORK)
        body = WorksheetIn(data=request.data)
        body.is_valid(raise_exception=True)
        worksheet_save(case_id=case.pk, actor=request.user, answers=body.validated_data["answers"])
        return _answer(request, case)
