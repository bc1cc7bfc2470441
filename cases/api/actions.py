"""What a provider does on an existing request: documents, answering a request for
information, withdrawing, peer-to-peer, appeal, the criteria used."""

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews.provider_actions import PROVIDER_ACTIONS
from reviews.selectors import decision_criteria_used
from um_portal.api import error_responses
from um_portal.audit import access_log_record
from um_portal.exceptions import PayloadTooLarge
from um_portal.models import AccessLog

from ..access import case_for_user
from ..services import attachments as attachment_services
from .action_views import action_api_view
from .inputs import CriteriaUsedSerializer

# A multipart body carries the file plus a little form data and boundaries.
MULTIPART_OVERHEAD = 64 * 1024


class AttachmentUploadView(action_api_view(PROVIDER_ACTIONS["document_upload"])):
    """Attach a clinical document (PDF, PNG, JPEG or TIFF, at most 20 MB)."""

    parser_classes = [MultiPartParser, FormParser]

    def before_body(self, request) -> None:
        # Refuse an oversized body before reading it.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD:
            limit = settings.ATTACHMENT_MAX_BYTES // 1048576
            raise PayloadTooLarge(f"The upload is larger than the {limit} MB limit per document.")


class AttachmentDownloadView(APIView):
    """Download a document of a request (logged as a PHI read)."""

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(401, 404, 429),
        }
    )
    def get(self, request, case_id, attachment_id):
        attachment = attachment_services.attachment_for_user(request.user, case_id=case_id, attachment_id=attachment_id)
        access_log_record(user=request.user, obj=attachment, how=AccessLog.How.DOWNLOAD, request=request)
        return attachment_file_response(attachment)


# A document is never rendered from the portal's origin: always a download, in a CSP
# sandbox (no script, no same origin) should a browser render it anyway.
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def attachment_file_response(attachment) -> FileResponse:
    """The document as a download. One with active content (a PDF with JavaScript) goes out
    as opaque bytes, so no browser PDF viewer picks it up (issue 12)."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream" if attachment.active_content else attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


AdditionalInformationView = action_api_view(PROVIDER_ACTIONS["respond"])
WithdrawView = action_api_view(PROVIDER_ACTIONS["withdraw"])
PeerToPeerView = action_api_view(PROVIDER_ACTIONS["peer_to_peer"])
AppealView = action_api_view(PROVIDER_ACTIONS["appeal"])
AuthorizationChangeView = action_api_view(PROVIDER_ACTIONS["authorization_change"])


class CriteriaView(action_api_view(PROVIDER_ACTIONS["criteria_copy"])):
    """The criteria versions used in the decision, with their text. POST records a
    request for a (free) copy of them, which the plan answers in writing."""

    @extend_schema(responses={200: CriteriaUsedSerializer(many=True), **error_responses(401, 404, 429)})
    def get(self, request, case_id):
        case = case_for_user(request.user, case_id)
        access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
        return Response(CriteriaUsedSerializer(decision_criteria_used(case=case), many=True).data)
