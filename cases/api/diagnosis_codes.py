"""ICD-10-CM descriptions for the request form as the user types (issue 22, item 3). The
code set is public: any signed-in user; no PHI, no database query."""

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api import error_responses
from um_portal.exceptions import ValidationFailed

from ..diagnosis_codes import CODE_SET, MAX_CODES, diagnosis_codes_describe

SEPARATORS = re.compile(r"[\s,;]+")


class DiagnosisCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    known = serializers.BooleanField(help_text="The code (or category) is in the ICD-10-CM code set.")
    billable = serializers.BooleanField(help_text="A complete code, not a category that needs more characters.")
    description = serializers.CharField()
    message = serializers.CharField(help_text="What to show beside the field, in plain words.")


class DiagnosisCodesSerializer(serializers.Serializer):
    code_set = serializers.CharField()
    results = DiagnosisCodeSerializer(many=True)


class DiagnosisCodesView(APIView):
    """What each ICD-10-CM code means, or that it is not a code."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "codes", str, required=True, description=f"Up to {MAX_CODES} codes, separated by commas or spaces"
            )
        ],
        responses={200: DiagnosisCodesSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        values = [v for v in SEPARATORS.split(request.query_params.get("codes", "")) if v]
        if not values:
            raise ValidationFailed("Give one or more ICD-10-CM codes.", errors={"codes": ["This field is required."]})
        if len(values) > MAX_CODES or any(len(v) > 8 for v in values):
            raise ValidationFailed(
                f"At most {MAX_CODES} codes of up to 8 characters each.", errors={"codes": ["Too many or too long."]}
            )
        answer = {"code_set": CODE_SET, "results": diagnosis_codes_describe(values)}
        return Response(DiagnosisCodesSerializer(answer).data)
