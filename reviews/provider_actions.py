"""What a provider does on an existing request, declared once (see `cases.actions`):
documents, answering a request for information, withdrawing, the criteria used,
peer-to-peer, appeal. The API (`cases.api_urls`), the case page's forms (`cases.urls`) and
its button list (`cases.views.detail`) all read these. They live here, beside the
services they call (`reviews.services.provider_requests`); the pages and API of `cases`
compose them."""

from django.db import transaction
from rest_framework import status

from cases import forms
from cases.actions import CaseAction, action_register, service_call
from cases.api import inputs
from cases.models import ChangeKind, Channel
from cases.services import attachments as attachment_services
from um_portal import timefmt
from um_portal.roles import Perm

from .selectors import decision_criteria_used
from .services import authorization_changes as changes_
from .services import provider_requests as requests_

WRITE_ERRORS = (400, 401, 403, 404, 409, 429)


def _answer_with_documents(actor, case, data):
    """The page sends the documents with the answer: all stored, or none."""
    with transaction.atomic():
        for document in data["documents"]:
            attachment_services.attachment_check(document)
        ids = [
            attachment_services.attachment_add(case=case, user=actor, upload=document).pk
            for document in data["documents"]
        ]
        return requests_.pend_answer(case=case, user=actor, text=data["text"], attachment_ids=ids)


def _appeal_with_documents(actor, case, data):
    """The page sends supporting records with the appeal: all stored with it, or nothing."""
    with transaction.atomic():
        for document in data.get("documents") or []:
            attachment_services.attachment_check(document)
        appeal = requests_.appeal_file(case=case, user=actor, reason=data["reason"], expedited=data["expedited"])
        for document in data.get("documents") or []:
            attachment_services.attachment_add(case=case, user=actor, upload=document)
        return appeal


def _criteria_copy_body(request, case, copy):
    body = {"id": copy.pk, "requested_at": copy.requested_at, "criteria": decision_criteria_used(case=case)}
    return inputs.CriteriaCopyRequestSerializer(body).data


def _change(channel: str):
    def run(actor, case, data):
        return changes_.authorization_change_request(case_id=case.pk, user=actor, channel=channel, **data)

    return run


def _change_message(result, case) -> str:
    if result.pk == case.pk:
        return "The lines were cancelled on the authorization."
    return f"Change request {result.reference} was sent; a decision is due by {timefmt.when(result.decision_due_at)}."


def _change_body(request, case, result):
    from cases.api.authorizations import case_detail_response

    return case_detail_response(request, result.pk).data


def _provider(name, perm, run, *, api_status=200, api_errors=WRITE_ERRORS, **declared) -> CaseAction:
    """Provider actions answer the API once per Idempotency-Key."""
    return CaseAction(name, perm, run, api_status=api_status, api_errors=api_errors, idempotent=True, **declared)


def _serialized(serializer):
    return lambda request, case, result: serializer(result).data


PROVIDER_ACTIONS = action_register(
    _provider(
        "document_upload", Perm.CASE_ATTACH,
        service_call(attachment_services.attachment_add, "description", by_id=False, upload="file"),
        check=attachment_services.attachment_add_check, form=forms.DocumentForm,
        success=lambda attachment, case: f"{attachment.original_name} was added to the request.",
        api_input=inputs.AttachmentUploadSerializer, api_content_type="multipart/form-data",
        api_status=status.HTTP_201_CREATED, api_body=_serialized(inputs.AttachmentSerializer),
        api_response=inputs.AttachmentSerializer, api_errors=(400, 401, 403, 404, 409, 413, 415, 429),
        api_description="Attach a clinical document (PDF, PNG, JPEG or TIFF, at most 20 MB).",
    ),
    _provider(
        "respond", Perm.CASE_RESPOND,
        service_call(requests_.pend_answer, "text", "attachment_ids", by_id=False),
        page_run=_answer_with_documents, check=requests_.pend_answer_check, form=forms.RespondForm,
        success="Thank you: the information was sent and the request is back in review.",
        api_input=inputs.AdditionalInformationSerializer,
        api_description=(
            "Answer a request for information (text and documents already uploaded to the\n"
            "request): the request goes back to review."
        ),
    ),
    _provider(
        "withdraw", Perm.CASE_WITHDRAW, service_call(requests_.case_withdraw, "reason", by_id=False),
        check=requests_.case_withdraw_check, form=forms.WithdrawForm,
        success=lambda result, case: f"{case.reference} was withdrawn.",
        api_input=inputs.WithdrawSerializer, api_description="Withdraw a request that is not decided yet.",
    ),
    # Asking for the criteria used is part of the provider's answering the plan.
    _provider(
        "criteria_copy", Perm.CASE_RESPOND, service_call(requests_.criteria_copy_request, by_id=False),
        check=requests_.criteria_copy_request_check,
        success="Your request for a copy of the criteria was recorded; they are also listed below.",
        api_status=status.HTTP_201_CREATED, api_body=_criteria_copy_body,
        api_response=inputs.CriteriaCopyRequestSerializer, api_errors=(401, 403, 404, 409, 429),
    ),
    _provider(
        "peer_to_peer", Perm.CASE_REQUEST_PEER_TO_PEER,
        service_call(requests_.peer_to_peer_request, "phone", "preferred_times", by_id=False),
        check=requests_.peer_to_peer_request_check, form=forms.PeerToPeerForm,
        success="Peer-to-peer requested: a UM physician will call you.",
        api_input=inputs.PeerToPeerInputSerializer, api_status=status.HTTP_201_CREATED,
        api_body=_serialized(inputs.PeerToPeerRequestedSerializer), api_response=inputs.PeerToPeerRequestedSerializer,
        api_description="Ask for a peer-to-peer talk with the UM physician after a denial or partial approval.",
    ),
    _provider(
        "authorization_change", Perm.CASE_SUBMIT, _change(Channel.API), page_run=_change(Channel.PORTAL),
        check=changes_.authorization_change_check, form=forms.AuthorizationChangeForm, success=_change_message,
        api_input=inputs.AuthorizationChangeSerializer, api_status=status.HTTP_201_CREATED, api_body=_change_body,
        api_summary="Ask to change the authorization",
        api_description=(
            "Ask to change the authorization of an approved request: add units or visits, extend the end\n"
            "date, change the servicing provider, or cancel lines. Each but a cancellation is a linked\n"
            "change request with its own clock and decision: answers it (201). A cancellation needs no\n"
            "review: answers the request with its authorization changed. 409 on a denied, withdrawn,\n"
            f"open or expired one, or while a change is open; kinds: {', '.join(ChangeKind.values)}."
        ),
    ),
    _provider(
        "appeal", Perm.CASE_APPEAL, service_call(requests_.appeal_file, "reason", "expedited", by_id=False),
        page_run=_appeal_with_documents, check=requests_.appeal_file_check, form=forms.AppealForm,
        success=lambda appeal, case: f"Appeal filed; a decision is due by {timefmt.when(appeal.due_at)}.",
        api_input=inputs.AppealInputSerializer, api_status=status.HTTP_201_CREATED,
        api_body=_serialized(inputs.AppealFiledSerializer), api_response=inputs.AppealFiledSerializer,
        api_description="Appeal a denial or partial approval. Answers the appeal with its due time.",
    ),
)  # fmt: skip
