"""The follow-up attach over the API (issue 18): `POST /api/v1/fax/{id}/attach/`
`{"reference"}` attaches a fax to the case its reference names and answers the case's open
request for information, through the same service as the fax page's button
(reviews.services.fax_followup). Staff who key faxes only; 404 for an unknown fax or case,
409 for a fax already attached, keyed or rejected; nothing is written on an error."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api import error_responses
from um_portal.audit import access_log_record
from um_portal.exceptions import NotAllowed
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from .services.fax_followup import fax_follow_up_attach


class FaxAttachInput(serializers.Serializer):
    reference = serializers.CharField(
        max_length=40, help_text="The reference of the case the fax follows up, e.g. UM-2026-000123."
    )


class FaxAttachOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The fax.")
    status = serializers.CharField(help_text="The fax's status: `attached`.")
    case_id = serializers.CharField()
    case_reference = serializers.CharField()
    case_status = serializers.CharField()
    attachment_id = serializers.CharField(help_text="The case's document that is the fax.")
    pend_answered = serializers.BooleanField(help_text="True when the fax answered an open request for information.")


class FaxAttachView(APIView):
    """Attach a follow-up fax to an existing case."""

    @extend_schema(request=FaxAttachInput, responses={200: FaxAttachOutput, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, fax_id):
        if not user_can(request.user, Perm.CASE_ENTER_FOR_OTHERS):
            raise NotAllowed("Only UM staff attach faxes to cases.")
        data = FaxAttachInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = fax_follow_up_attach(user=request.user, fax_id=fax_id, reference=data.validated_data["reference"])
        access_log_record(user=request.user, obj=done.case, how=AccessLog.How.API, request=request)
        body = {
            "id": done.fax.pk,
            "status": done.fax.status,
            "case_id": str(done.case.pk),
            "case_reference": done.case.reference,
            "case_status": done.case.status,
            "attachment_id": str(done.attachment.pk),
            "pend_answered": done.pend is not None,
        }
        return Response(FaxAttachOutput(body).data)
