"""Letter pages and the PDF download. Thin: access helper, selector, audit, response."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from cases.access import case_for_user
from cases.models import AuthorizationRequest
from um_portal.audit import access_log_record
from um_portal.roles import is_staff_role

from .access import letter_for_user
from .selectors import case_letters


def _pdf_response(letter) -> FileResponse:
    response = FileResponse(
        letter.pdf.open("rb"), content_type="application/pdf", as_attachment=True, filename=letter.filename
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class LetterPdfView(APIView):
    """GET /api/v1/letters/{id}/pdf: the issued PDF, logged as a PHI read."""

    @extend_schema(
        operation_id="letter_pdf",
        parameters=[OpenApiParameter("letter_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, letter_id):
        letter = letter_for_user(request.user, letter_id)
        access_log_record(user=request.user, obj=letter, how="download", request=request)
        return _pdf_response(letter)


@login_required
def case_letters_page(request, case_id):
    case = case_for_user(request.user, case_id, queryset=AuthorizationRequest.objects.select_related("member"))
    access_log_record(user=request.user, obj=case, how="page", request=request)
    letters = case_letters(user=request.user, case=case)
    return render(
        request,
        "notifications/case_letters.html",
        {"case": case, "letters": letters, "show_internal": is_staff_role(request.user)},
    )
