"""What a provider does on an existing request: documents, answering a request for
information, withdrawing, peer-to-peer, appeal, the criteria used."""

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews.selectors import decision_current
from reviews.services import provider_requests
from um_portal.api import IDEMPOTENCY_PARAMETER, error_responses, idempotent_response
from um_portal.audit import access_log_record
from um_portal.exceptions import PayloadTooLarge
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..access import case_for_user
from ..serializers import CaseDetailSerializer
from ..services import attachments as attachment_services
from .authorizations import case_detail_response
from .inputs import (
    AdditionalInformationSerializer,
    AppealFiledSerializer,
    AppealInputSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CriteriaCopyRequestSerializer,
    CriteriaUsedSerializer,
    PeerToPeerInputSerializer,
    PeerToPeerRequestedSerializer,
    WithdrawSerializer,
)

# A multipart body carries the file plus a little form data and boundaries.
MULTIPART_OVERHEAD = 64 * 1024


class AttachmentUploadView(APIView):
    """Attach a clinical document (PDF, PNG, JPEG or TIFF, at most 20 MB)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: AttachmentSerializer, **error_responses(400, 401, 403, 404, 409, 413, 415, 429)},
    )
    def post(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.CASE_ATTACH)
        # Refuse an oversized body before reading it.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD:
            limit = settings.ATTACHMENT_MAX_BYTES // 1048576
            raise PayloadTooLarge(f"The upload is larger than the {limit} MB limit per document.")
        given = AttachmentUploadSerializer(data=request.data)
        given.is_valid(raise_exception=True)

        def run():
            attachment = attachment_services.attachment_add(
                case=case,
                user=request.user,
                upload=given.validated_data["file"],
                description=given.validated_data["description"],
            )
            return status.HTTP_201_CREATED, AttachmentSerializer(attachment).data

        return idempotent_response(request, run)


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


def attachment_file_response(attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


class AdditionalInformationView(APIView):
    """Answer a request for information (text and documents already uploaded to the
    request): the request goes back to review."""

    @extend_schema(
        request=AdditionalInformationSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.CASE_RESPOND)
        given = AdditionalInformationSerializer(data=request.data)
        given.is_valid(raise_exception=True)

        def run():
            provider_requests.pend_answer(
                case=case,
                user=request.user,
                text=given.validated_data["text"],
                attachment_ids=given.validated_data["attachment_ids"],
            )
            return status.HTTP_200_OK, case_detail_response(request, case.pk).data

        return idempotent_response(request, run)


class WithdrawView(APIView):
    """Withdraw a request that is not decided yet."""

    @extend_schema(
        request=WithdrawSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.CASE_WITHDRAW)
        given = WithdrawSerializer(data=request.data)
        given.is_valid(raise_exception=True)

        def run():
            provider_requests.case_withdraw(case=case, user=request.user, reason=given.validated_data["reason"])
            return status.HTTP_200_OK, case_detail_response(request, case.pk).data

        return idempotent_response(request, run)


class PeerToPeerView(APIView):
    """Ask for a peer-to-peer talk with the UM physician after a denial or partial approval."""

    @extend_schema(
        request=PeerToPeerInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PeerToPeerRequestedSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.CASE_REQUEST_PEER_TO_PEER)
        given = PeerToPeerInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)

        def run():
            p2p = provider_requests.peer_to_peer_request(
                case=case,
                user=request.user,
                phone=given.validated_data["phone"],
                preferred_times=given.validated_data["preferred_times"],
            )
            return status.HTTP_201_CREATED, PeerToPeerRequestedSerializer(p2p).data

        return idempotent_response(request, run)


class AppealView(APIView):
    """Appeal a denial or partial approval. Answers the appeal with its due time."""

    @extend_schema(
        request=AppealInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: AppealFiledSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.CASE_APPEAL)
        given = AppealInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)

        def run():
            appeal = provider_requests.appeal_file(
                case=case,
                user=request.user,
                reason=given.validated_data["reason"],
                expedited=given.validated_data["expedited"],
            )
            return status.HTTP_201_CREATED, AppealFiledSerializer(appeal).data

        return idempotent_response(request, run)


def criteria_used(case) -> list:
    decision = decision_current(case=case)
    if decision is None:
        return []
    return list(decision.criteria.select_related("criteria_set").order_by("criteria_set__name", "version"))


class CriteriaView(APIView):
    """The criteria versions used in the decision, with their text. POST records a
    request for a (free) copy of them, which the plan answers in writing."""

    @extend_schema(responses={200: CriteriaUsedSerializer(many=True), **error_responses(401, 404, 429)})
    def get(self, request, case_id):
        case = case_for_user(request.user, case_id)
        access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
        return Response(CriteriaUsedSerializer(criteria_used(case), many=True).data)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: CriteriaCopyRequestSerializer, **error_responses(401, 403, 404, 409, 429)},
    )
    def post(self, request, case_id):
        case = case_for_user(request.user, case_id, need=Perm.CASE_RESPOND)

        def run():
            copy = provider_requests.criteria_copy_request(case=case, user=request.user)
            body = {
                "id": copy.pk,
                "requested_at": copy.requested_at,
                "criteria": criteria_used(case),
            }
            return status.HTTP_201_CREATED, CriteriaCopyRequestSerializer(body).data

        return idempotent_response(request, run)
