"""What a reviewer does on a case, declared once (see `cases.actions`): the reviewer API
(`reviews.api_urls`), the review page's forms and its button list (`reviews.views.case`)
all read these. Medical-necessity actions refuse any role but a physician before the input
is read, through the one access helper (`reviews.access`)."""

from cases.actions import CaseAction, action_register, service_call
from um_portal import timefmt
from um_portal.roles import Perm

from . import api_inputs as inputs
from . import forms
from .access import case_for_physician
from .services import assignment, decisions, extensions, pends
from .services import peer_to_peer as talks
from .services.common import require_open

LETTERS_GO = "Letters go to the member and the providers."


# A signed decision may also answer 503 when the signature counter is unreachable (issue 12).
SIGNED_ERRORS = (400, 401, 403, 404, 409, 429, 503)


def _reviewer(username):
    return assignment.reviewer_by_username(username=username) if username else None


def _assign(actor, case, data):
    """Claim (no username) or reassign."""
    return assignment.case_assign(
        case_id=case.pk, actor=actor, assignee=_reviewer(data.get("username")), expected_version=data.get("version")
    )


def _route(actor, case, data):
    return pends.case_route_to_physician(
        case_id=case.pk,
        actor=actor,
        note=data["reason"],
        physician=_reviewer(data.get("physician")),
        expected_version=data.get("version"),
    )


def _decide(service, *names):
    return service_call(service, "reason", "criteria_ids", "reason_code", *names, versioned=True)


REVIEW_ACTIONS = action_register(
    CaseAction(
        "claim", Perm.CASE_ASSIGN, _assign, check=assignment.case_claim_check, form=forms.ClaimForm,
        success=lambda result, case: f"You claimed {case.reference}.",
    ),
    CaseAction(
        "assign", Perm.CASE_ASSIGN, _assign, check=assignment.case_assign_check, form=forms.ReassignForm,
        success="Case reassigned.",
        api_input=inputs.AssignIn, api_summary="Claim the case (username null) or reassign it",
    ),
    CaseAction(
        "note", Perm.QUEUE_WORK, service_call(assignment.case_note_add, "text"), form=forms.NoteForm,
        success="Note added.",
    ),
    CaseAction(
        "pend", Perm.CASE_PEND,
        service_call(pends.case_pend, "requested_information", "respond_by", "reason_code", versioned=True),
        check=pends.case_pend_check, form=forms.PendForm,
        success="Pended: the provider is asked for the information.",
        api_input=inputs.PendIn, api_summary="Pend for information (notice to the provider)",
    ),
    CaseAction(
        "approve", Perm.CASE_APPROVE,
        service_call(decisions.case_approve, "rationale", "criteria_ids", "lines", versioned=True),
        check=require_open, form=forms.ApproveForm, success=f"Approved. {LETTERS_GO}",
        api_input=inputs.ApproveIn, api_summary="Approve in full",
    ),
    CaseAction(
        "route", Perm.CASE_ROUTE_TO_PHYSICIAN, _route, check=pends.case_route_check, form=forms.RouteForm,
        success="Routed to physician review.",
        api_input=inputs.RouteIn, api_summary="Route to physician review",
    ),
    # Benefit and administrative grounds by role; on medical necessity the service asks the
    # access helper for a licensed physician.
    CaseAction(
        "deny", Perm.CASE_DENY_ADMINISTRATIVE, _decide(decisions.case_deny, "basis", "password"),
        check=require_open, form=forms.DenyForm, success=f"Denied. {LETTERS_GO}",
        api_input=inputs.DenyIn, api_summary="Deny (medical necessity: licensed physician, signed)",
        api_errors=SIGNED_ERRORS,
    ),
    CaseAction(
        "partial", Perm.CASE_PARTIALLY_APPROVE, _decide(decisions.case_partially_approve, "lines", "password"),
        precheck=case_for_physician, check=decisions.case_partially_approve_check, form=forms.PartialForm,
        success=f"Partially approved. {LETTERS_GO}",
        api_input=inputs.PartialIn, api_summary="Partially approve per line (licensed physician, signed)",
        api_errors=SIGNED_ERRORS,
    ),
    CaseAction(
        "revise", Perm.CASE_DENY_MEDICAL_NECESSITY,
        _decide(decisions.case_decision_revise, "outcome", "lines", "password"),
        precheck=case_for_physician, check=decisions.case_decision_revise_check, form=forms.ReviseForm,
        success="Decision revised after the peer-to-peer talk. New letters go out.",
    ),
    CaseAction(
        "offer", Perm.PEER_TO_PEER_CONDUCT, service_call(talks.peer_to_peer_offer, "phone"),
        check=talks.peer_to_peer_offer_check, form=forms.OfferTalkForm,
        success="Peer-to-peer talk offered: log your calls on the peer-to-peer page.",
    ),
    CaseAction(
        "extend", Perm.CASE_EXTEND, service_call(extensions.case_extend, "ground", "reason"),
        check=extensions.case_extend_check, form=forms.ExtendForm,
        success=lambda extension, case: (
            f"Deadline extended to {timefmt.when(extension.new_due_at)}."
        ),
        api_input=inputs.ExtendInputSerializer,
        api_description="Extend the decision deadline once, where a rule allows it; 409 otherwise.",
    ),
)  # fmt: skip
