"""The fax API (issue 18). The gateway's door: POST /api/v1/fax/inbound/, multipart
(`file`, `received_at`, `from_number`; `sender_fax` is accepted as the older name). The gateway
signs in as a service account in the "Fax gateway" role, whose only permission is to post
faxes (it reads no case); staff who key may post too. A file that fails the checks is
still received: 201 with status `rejected` and the message, so the gateway never retries a
fax we hold. The same fax sent again (same content and sender within
FAX_RESEND_WINDOW_HOURS) answers 200 with the first row's id and `resent` true.

The inbox, for staff who key faxes: GET /api/v1/fax/ (faxes not keyed yet and rejected
ones, oldest first, cursor-paged) and GET /api/v1/fax/{id}/ with the OCR `prefill`
candidates. Every row read is access-logged; anyone else gets 404 (403 on the list)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api import error_responses
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import NotAllowed, PayloadTooLarge
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from ..models import FaxOcr, FaxReceipt
from ..services.fax import fax_for_user, fax_inbox_queryset, fax_receipt_receive
from .actions import MULTIPART_OVERHEAD


class FaxReceiptInput(serializers.Serializer):
    file = serializers.FileField(help_text="The fax as received: PDF or TIFF.")
    received_at = serializers.DateTimeField(
        required=False, help_text="When the gateway received the fax (ISO 8601 with offset); default: arrival here."
    )
    from_number = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="The sender's fax number."
    )
    sender_fax = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="Older name of `from_number`."
    )


class FaxReceiptOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=FaxReceipt.Status.choices)
    message = serializers.CharField(help_text="Why the fax was rejected; empty otherwise.")
    pages = serializers.IntegerField(allow_null=True)
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="Standard turnaround from receipt, until the fax is keyed.")
    resent = serializers.BooleanField(help_text="True when this fax was already received: one inbox row is kept.")


class FaxReceiptCreateView(APIView):
    """Receive a fax into the inbox."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FaxReceiptInput},
        responses={201: FaxReceiptOutput, 200: FaxReceiptOutput, **error_responses(400, 401, 403, 413, 429)},
    )
    def post(self, request):
        if not user_can(request.user, Perm.FAX_RECEIVE):
            raise NotAllowed("Only UM staff and the fax gateway may file faxes.")
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD:
            limit = settings.ATTACHMENT_MAX_BYTES // 1048576
            raise PayloadTooLarge(f"The upload is larger than the {limit} MB limit per fax.")
        data = FaxReceiptInput(data=request.data)
        data.is_valid(raise_exception=True)
        fax = fax_receipt_receive(
            user=request.user,
            upload=data.validated_data["file"],
            source=FaxReceipt.Source.GATEWAY,
            received_at=data.validated_data.get("received_at"),
            sender_fax=data.validated_data.get("from_number") or data.validated_data.get("sender_fax", ""),
        )
        body = {
            "id": fax.pk,
            "status": fax.status,
            "message": fax.rejection_message,
            "pages": fax.pages,
            "received_at": fax.received_at,
            "due_at": fax.due_at,
            "resent": fax.resent,
        }
        code = status.HTTP_200_OK if fax.resent else status.HTTP_201_CREATED
        return Response(FaxReceiptOutput(body).data, status=code)


class FaxPagination(CursorPagination):
    page_size = 50
    ordering = ("received_at", "id")


class FaxRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="new, keyed, attached or rejected.")
    message = serializers.CharField(source="rejection_message", help_text="Why the fax was rejected; empty otherwise.")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    from_number = serializers.CharField(source="sender_fax")
    pages = serializers.IntegerField(allow_null=True)
    source = serializers.CharField(help_text="upload, gateway or folder.")
    resend_count = serializers.IntegerField()


class FaxPrefillCandidate(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
    page = serializers.IntegerField(allow_null=True)
    confidence = serializers.FloatField(
        allow_null=True, help_text="The OCR engine's confidence for the value (or its page), when stored."
    )


class FaxDetailSerializer(FaxRowSerializer):
    ocr_status = serializers.CharField(allow_blank=True, help_text="pending, running, done, off, failed; empty: none.")
    prefill = FaxPrefillCandidate(many=True)


def fax_prefill_candidates(ocr: FaxOcr | None) -> list[dict]:
    """The OCR's candidates as flat rows: each field and code line of each request found in
    the fax. Confidence: the field's own if the OCR stored one, else its page's, else null."""
    if ocr is None or ocr.status != FaxOcr.Status.DONE:
        return []
    page_confidence = {p.get("page"): p.get("confidence") for p in ocr.pages or [] if isinstance(p, dict)}
    rows = []

    def add(field, found):
        page = found.get("page")
        confidence = found.get("confidence", page_confidence.get(page))
        rows.append({"field": field, "value": str(found.get("value", "")), "page": page, "confidence": confidence})

    for request in ocr.requests or []:
        for name, found in (request.get("fields") or {}).items():
            add(name, found)
        for line in request.get("lines") or []:
            add("line_code", {**line, "value": f"{line.get('code_system', '')} {line.get('code', '')}".strip()})
    return rows


class FaxListView(ListAPIView):
    """The fax inbox: faxes not keyed yet and rejected ones, oldest first."""

    serializer_class = FaxRowSerializer
    pagination_class = FaxPagination
    filter_backends: list = []

    def get_queryset(self):
        return fax_inbox_queryset(self.request.user)

    @extend_schema(responses={200: FaxRowSerializer(many=True), **error_responses(401, 403, 429)})
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        access_log_record_many(user=self.request.user, objs=page or [], how=AccessLog.How.API, request=self.request)
        return page


class FaxDetailView(APIView):
    """One fax with its OCR pre-fill candidates."""

    @extend_schema(responses={200: FaxDetailSerializer, **error_responses(401, 404, 429)})
    def get(self, request, fax_id):
        fax = fax_for_user(request.user, fax_id)
        access_log_record(user=request.user, obj=fax, how=AccessLog.How.API, request=request)
        ocr = FaxOcr.objects.filter(fax=fax).first()
        fax.ocr_status = ocr.status if ocr is not None else ""
        fax.prefill = fax_prefill_candidates(ocr) if fax.status != FaxReceipt.Status.REJECTED else []
        return Response(FaxDetailSerializer(fax).data)
