"""Input serializers: types and sizes only. The rules live in the services."""

from rest_framework import serializers

from um_portal.validators import PHONE_MAX_LENGTH

from ..models import ChangeKind, Channel, ReviewType, ServiceCategory, ServiceLine, Urgency
from ..validators import PORTAL_CODE_SYSTEMS

TEXT_MAX = 20000


class LineInputSerializer(serializers.Serializer):
    code_system = serializers.ChoiceField(
        choices=[c for c in ServiceLine.CodeSystem.choices if c[0] in PORTAL_CODE_SYSTEMS]
    )
    code = serializers.CharField(max_length=5)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    units = serializers.IntegerField(min_value=1, max_value=9999)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class AuthorizationCreateSerializer(serializers.Serializer):
    member_number = serializers.CharField(max_length=20)
    member_date_of_birth = serializers.DateField()
    requesting_provider_npi = serializers.CharField(max_length=10)
    servicing_provider_npi = serializers.CharField(max_length=10)
    service_category = serializers.ChoiceField(choices=ServiceCategory.choices)
    review_type = serializers.ChoiceField(choices=ReviewType.choices, default=ReviewType.PROSPECTIVE)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.STANDARD)
    expedited_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    diagnosis_codes = serializers.ListField(child=serializers.CharField(max_length=10), min_length=1, max_length=12)
    lines = LineInputSerializer(many=True, allow_empty=False, max_length=20)
    clinical_summary = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    place_of_service = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Staff only: fax, phone or mail for paper requests."
    )
    received_at = serializers.DateTimeField(
        required=False, help_text="Staff only: when a fax, phone or mail request arrived (not in the future)."
    )
    confirm_duplicate = serializers.BooleanField(
        default=False, help_text="Submit even though an open request looks like a duplicate (409 likely_duplicate)."
    )
    checklist = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=300), max_length=50),
        required=False,
        help_text='Criteria checklist items met, by criteria set: {"<criteria set name>": ["<item>", ...]}. '
        "Auto-approval rules may approve on them.",
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    description = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return f"/api/v1/authorizations/{attachment.case_id}/attachments/{attachment.pk}/"


class AdditionalInformationSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ChangeLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The authorization line's `id`, as the case's `authorization.lines` show it.",
    )
    line = serializers.IntegerField(min_value=1, required=False, help_text="The authorization line's number.")
    line_number = serializers.IntegerField(min_value=1, required=False, help_text="Same as `line`.")
    units = serializers.IntegerField(
        min_value=1, max_value=9999, required=False, help_text="add_units: the units or visits to add."
    )

    def validate(self, attrs):
        number = attrs.pop("line_number", None)
        attrs.setdefault("line", number)
        if attrs["line"] is None and attrs.get("id") is None:
            raise serializers.ValidationError("Give the authorization line's `id` (or its number as `line`).")
        return attrs


class AuthorizationChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    lines = ChangeLineSerializer(many=True, required=False, default=list, max_length=100)
    end_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="extend: the new end.")
    servicing_provider_npi = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", help_text="change_servicing_provider."
    )
    reason = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.STANDARD)

    def validate(self, attrs):
        attrs["lines"] = [dict(line) for line in attrs["lines"]]
        return attrs


class PeerToPeerInputSerializer(serializers.Serializer):
    preferred_times = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=10
    )
    phone = serializers.CharField(max_length=PHONE_MAX_LENGTH)


class PeerToPeerRequestedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    phone = serializers.CharField()
    preferred_times = serializers.ListField(child=serializers.CharField())
    requested_at = serializers.DateTimeField()


class AppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    expedited = serializers.BooleanField(default=False)


class AppealFiledSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    expedited = serializers.BooleanField()
    filed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()


class CriteriaUsedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="criteria_set.name")
    source = serializers.CharField(source="criteria_set.source")
    version = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    text = serializers.CharField()
    indications = serializers.ListField(child=serializers.CharField())


class CriteriaCopyRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    criteria = CriteriaUsedSerializer(many=True)
