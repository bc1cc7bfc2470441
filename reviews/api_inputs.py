"""Input serializers of the reviewer API (API.md, "Reviewer actions"): types only; the rules
live in the services. Read by the action declarations (`reviews.actions`)."""

from rest_framework import serializers

from .models import Extension


class LineIn(serializers.Serializer):
    id = serializers.CharField()
    approved_units = serializers.IntegerField(min_value=0)


class VersionIn(serializers.Serializer):
    # Optional optimistic check: the case `version` the client last saw (409 if it moved on).
    version = serializers.IntegerField(required=False, min_value=1)


class AssignIn(VersionIn):
    username = serializers.CharField(required=False, allow_null=True, allow_blank=True)


REASON_CODE_HELP = "A code of the reason-code catalogue in use (GET /api/v1/reason-codes/) that fits this decision."


class PendIn(VersionIn):
    requested_information = serializers.CharField()
    respond_by = serializers.DateField()
    reason_code = serializers.CharField(help_text=REASON_CODE_HELP)


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
    reason_code = serializers.CharField(help_text=REASON_CODE_HELP)
    criteria_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, help_text="Signature: required on medical necessity."
    )


class PartialIn(VersionIn):
    reason = serializers.CharField()
    reason_code = serializers.CharField(help_text=REASON_CODE_HELP)
    criteria_ids = serializers.ListField(child=serializers.IntegerField())
    lines = LineIn(many=True)
    password = serializers.CharField(
        write_only=True,
        help_text="Signature: the physician's password, or a current authenticator code where enrolled.",
    )


class ExtendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    # API.md's contract is `{"reason"}`; the ground is an addition. Left out, it is the usual
    # plan-side ground: outside information is needed and waiting is in the member's interest.
    ground = serializers.ChoiceField(
        choices=Extension.Ground.choices,
        required=False,
        default=Extension.Ground.OUTSIDE_INFORMATION,
        help_text="Why: member_request, or outside_information (default).",
    )


class AppealDecideIn(VersionIn):
    outcome = serializers.ChoiceField(choices=["upheld", "overturned", "partially_overturned"])
    reason = serializers.CharField()
    reason_code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=REASON_CODE_HELP + " Not needed to overturn."
    )
    criteria_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    lines = LineIn(many=True, required=False)
    password = serializers.CharField(
        write_only=True,
        help_text="Signature: the physician's password, or a current authenticator code where enrolled.",
    )
