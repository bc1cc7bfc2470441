"""The fax gateway's door (issue 18): POST /api/v1/fax-receipts/, multipart. The gateway
signs in as a service account in the "Fax gateway" role, whose only permission is to post
faxes (it reads no case); staff who key may post too. A file that fails the checks is
still received: 201 with status `rejected` and the message, so the gateway never retries a
fax we hold. The same fax sent again (same content and sender within
FAX_RESEND_WINDOW_HOURS) answers 200 with the first row's id and `resent` true."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api import error_responses
from um_portal.exceptions import NotAllowed, PayloadTooLarge
from um_portal.roles import Perm, user_can

from ..models import FaxReceipt
from ..services.fax import fax_receipt_receive
from .actions import MULTIPART_OVERHEAD


class FaxReceiptInput(serializers.Serializer):
    file = serializers.FileField(help_text="The fax as received: PDF or TIFF.")
    received_at = serializers.DateTimeField(
        required=False, help_text="When the gateway received the fax (ISO 8601 with offset); default: arrival here."
    )
    sender_fax = serializers.CharField(required=False, allow_blank=True, max_length=30)


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
            sender_fax=data.validated_data.get("sender_fax", ""),
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
