"""The fax inbox (issue 18, item 1): staff see faxes not keyed yet, oldest first, each on
its own clock; open one beside a link to key it; upload a fax received some other way."""

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from um_portal.audit import access_log_record
from um_portal.exceptions import NotAllowed
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from .api.actions import DOWNLOAD_CSP
from .fax_view import PDF, TIFF, fax_tiff_as_pdf, fax_viewable
from .models import FaxReceipt
from .services.fax import fax_for_user, fax_inbox, fax_receipt_receive
from .services.fax_ocr import fax_prefill


class FaxUploadForm(django_forms.Form):
    file = django_forms.FileField(label="Fax file (PDF or TIFF)")
    sender_fax = django_forms.CharField(required=False, max_length=30, label="Sender's fax number")
    received_at = django_forms.DateTimeField(
        required=False,
        widget=django_forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Received at",
        help_text="When the fax arrived; leave empty for now.",
    )


def time_left(due_at, now) -> tuple[str, bool]:
    """('1 day 4 h left' | 'Overdue by 3 h', overdue)."""
    seconds = int((due_at - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours or days:
        parts.append(f"{hours} h")
    if not days:
        parts.append(f"{minutes} min")
    text = " ".join(parts)
    return (f"Overdue by {text}", True) if overdue else (f"{text} left", False)


def _staff(request) -> None:
    if not user_can(request.user, Perm.CASE_ENTER_FOR_OTHERS):
        raise NotAllowed("Only UM staff see the fax inbox.")


@login_required
def inbox(request):
    _staff(request)
    now = timezone.now()
    rows = []
    for fax in fax_inbox(request.user):
        left, overdue = time_left(fax.due_at, now) if fax.status == FaxReceipt.Status.NEW else ("", False)
        rows.append({"fax": fax, "left": left, "overdue": overdue})
    return render(request, "cases/fax_inbox.html", {"rows": rows, "form": FaxUploadForm()})


@login_required
@require_POST
def upload(request):
    _staff(request)
    form = FaxUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "cases/fax_inbox.html", {"rows": [], "form": form}, status=400)
    fax = fax_receipt_receive(
        user=request.user,
        upload=form.cleaned_data["file"],
        source=FaxReceipt.Source.UPLOAD,
        received_at=form.cleaned_data["received_at"],
        sender_fax=form.cleaned_data["sender_fax"],
    )
    return redirect(reverse("cases:fax_detail", kwargs={"fax_id": fax.pk}))


@login_required
def detail(request, fax_id):
    fax = fax_for_user(request.user, fax_id)
    access_log_record(user=request.user, obj=fax, how=AccessLog.How.PAGE, request=request)
    left, overdue = time_left(fax.due_at, timezone.now()) if fax.status == FaxReceipt.Status.NEW else ("", False)
    return render(
        request,
        "cases/fax_detail.html",
        {
            "fax": fax,
            "left": left,
            "overdue": overdue,
            "cases": list(fax.cases.all()),
            "keyable": FaxReceipt.Status.KEYED in FaxReceipt.TRANSITIONS[fax.status] and bool(fax.file),
            "viewable": fax_viewable(fax),
            "ocr_prefill": fax_prefill(fax=fax) if fax.status != FaxReceipt.Status.REJECTED else None,
            "attachable": FaxReceipt.Status.ATTACHED in FaxReceipt.TRANSITIONS[fax.status] and bool(fax.file),
            # Every status change, resend and alert (FaxEvent), oldest first.
            "history": list(fax.events.select_related("actor").order_by("at", "id")),
        },
    )


@login_required
@require_POST
def attach(request, fax_id):
    """Attach a follow-up fax to the case its reference names (answers an open pend)."""
    from reviews.services.fax_followup import fax_follow_up_attach

    done = fax_follow_up_attach(user=request.user, fax_id=fax_id, reference=request.POST.get("reference", ""))
    return redirect(reverse("reviews:case", kwargs={"case_id": done.case.pk}))


@login_required
@xframe_options_sameorigin
def file(request, fax_id):
    """The fax file. `?inline=1` shows a PDF without active content in the fax page's frame
    (same origin only), and a TIFF as a PDF of its pages; otherwise a download in a CSP
    sandbox, as documents are."""
    fax = fax_for_user(request.user, fax_id)
    access_log_record(user=request.user, obj=fax, how=AccessLog.How.DOWNLOAD, request=request)
    if not fax.file:
        raise NotAllowed("This fax was too large to keep; only its record is here.")
    inline = fax_viewable(fax) and request.GET.get("inline") == "1"
    if inline and fax.content_type == TIFF:
        # The viewer shows PDFs: a TIFF fax is shown as a PDF made from its pages.
        response = HttpResponse(fax_tiff_as_pdf(fax), content_type=PDF)
        response["Content-Disposition"] = content_disposition_header(
            False, f"{fax.original_name.rsplit('.', 1)[0]}.pdf"
        )
    else:
        response = FileResponse(
            fax.file.open("rb"),
            as_attachment=not inline,
            filename=fax.original_name,
            content_type=fax.content_type
            if fax.content_type and not fax.active_content
            else "application/octet-stream",
        )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'" if inline else DOWNLOAD_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
