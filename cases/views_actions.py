"""What a provider does from the case page. Each action checks access with
`case_for_user(need=...)` (404 for strangers, before anything is read or written), calls
one service, and returns to the case page with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from reviews.services import provider_requests
from um_portal.audit import access_log_record
from um_portal.exceptions import DomainError
from um_portal.models import AccessLog
from um_portal.roles import Perm

from . import forms
from .access import case_for_user
from .api.actions import attachment_file_response
from .services.attachments import attachment_add, attachment_check, attachment_for_user


def _back(case):
    return redirect("cases:detail", case_id=case.pk)


def _fail(request, case, error: DomainError):
    details = [m for messages_ in error.errors.values() for m in messages_]
    text = error.message + (" " + " ".join(details) if details and details[0] not in error.message else "")
    messages.error(request, text)
    return _back(case)


def _form_fail(request, case, form):
    problems = [
        f"{form.fields[f].label or f}: {m}" if f in form.fields else m for f, ms in form.errors.items() for m in ms
    ]
    messages.error(request, "Please correct: " + " ".join(problems))
    return _back(case)


@login_required
@require_POST
def document_upload(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_ATTACH)
    form = forms.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_fail(request, case, form)
    try:
        attachment = attachment_add(
            case=case, user=request.user, upload=form.cleaned_data["file"], description=form.cleaned_data["description"]
        )
    except DomainError as error:
        return _fail(request, case, error)
    messages.success(request, f"{attachment.original_name} was added to the request.")
    return _back(case)


@login_required
@require_GET
def document_download(request, case_id, attachment_id):
    attachment = attachment_for_user(request.user, case_id=case_id, attachment_id=attachment_id)
    access_log_record(user=request.user, obj=attachment, how=AccessLog.How.DOWNLOAD, request=request)
    return attachment_file_response(attachment)


@login_required
@require_POST
def respond(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_RESPOND)
    form = forms.RespondForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_fail(request, case, form)
    try:
        with transaction.atomic():
            for document in form.cleaned_data["documents"]:
                attachment_check(document)
            ids = [attachment_add(case=case, user=request.user, upload=d).pk for d in form.cleaned_data["documents"]]
            provider_requests.pend_answer(
                case=case, user=request.user, text=form.cleaned_data["text"], attachment_ids=ids
            )
    except DomainError as error:
        return _fail(request, case, error)
    messages.success(request, "Thank you: the information was sent and the request is back in review.")
    return _back(case)


@login_required
@require_POST
def withdraw(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_WITHDRAW)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        return _form_fail(request, case, form)
    try:
        provider_requests.case_withdraw(case=case, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _fail(request, case, error)
    messages.success(request, f"{case.reference} was withdrawn.")
    return _back(case)


@login_required
@require_POST
def criteria_copy(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_RESPOND)
    try:
        provider_requests.criteria_copy_request(case=case, user=request.user)
    except DomainError as error:
        return _fail(request, case, error)
    messages.success(request, "Your request for a copy of the criteria was recorded; they are also listed below.")
    return _back(case)


@login_required
@require_POST
def peer_to_peer(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_REQUEST_PEER_TO_PEER)
    form = forms.PeerToPeerForm(request.POST)
    if not form.is_valid():
        return _form_fail(request, case, form)
    times = [t.strip() for t in form.cleaned_data["preferred_times"].split(";") if t.strip()]
    try:
        provider_requests.peer_to_peer_request(
            case=case, user=request.user, phone=form.cleaned_data["phone"], preferred_times=times
        )
    except DomainError as error:
        return _fail(request, case, error)
    messages.success(request, "Peer-to-peer requested: a UM physician will call you.")
    return _back(case)


@login_required
@require_POST
def appeal(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_APPEAL)
    form = forms.AppealForm(request.POST)
    if not form.is_valid():
        return _form_fail(request, case, form)
    try:
        filed = provider_requests.appeal_file(
            case=case, user=request.user, reason=form.cleaned_data["reason"], expedited=form.cleaned_data["expedited"]
        )
    except DomainError as error:
        return _fail(request, case, error)
    messages.success(request, f"Appeal filed; a decision is due by {filed.due_at:%Y-%m-%d %H:%M}.")
    return _back(case)
