"""The review page and its action forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.access import case_for_user
from cases.models import CaseEvent
from criteria.selectors import criteria_for_case
from um_portal.audit import access_log_record
from um_portal.exceptions import DomainError, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm, Role, user_can, user_role

from .. import forms
from ..models import PhysicianLicense
from ..selectors import case_detail_queryset, case_peer_to_peers, prior_requests, reviewers_for_assignment
from ..services import assignment, decisions, pends
from ..services import peer_to_peer as talks


def _forms(case, *, user, criteria, reviewers, data=None, which=None):
    """Every action form, bound only for the one that was posted (to show its errors)."""
    physicians = [u for u in reviewers if u.is_physician]
    lines = list(case.lines.all())
    initial = {"version": case.version}
    bases = None if user_can(user, Perm.CASE_DENY_MEDICAL_NECESSITY) else ["benefit", "administrative"]
    builders = {
        "note": lambda d: forms.NoteForm(d),
        "reassign": lambda d: forms.ReassignForm(d, initial=initial, reviewers=reviewers),
        "pend": lambda d: forms.PendForm(d, initial=initial),
        "approve": lambda d: forms.ApproveForm(d, initial=initial, criteria=criteria),
        "route": lambda d: forms.RouteForm(d, initial=initial, physicians=physicians),
        "deny": lambda d: forms.DenyForm(d, initial=initial, criteria=criteria, bases=bases),
        "partial": lambda d: forms.PartialForm(d, initial=initial, criteria=criteria, lines=lines),
        "offer": lambda d: forms.OfferTalkForm(d),
        "revise": lambda d: forms.ReviseForm(d, initial=initial, criteria=criteria, lines=lines),
    }
    return {name: build(data if name == which else None) for name, build in builders.items()}


def review_context(request, case_id, *, data=None, which=None, error=None) -> dict:
    case = case_for_user(request.user, case_id, need=Perm.QUEUE_WORK, queryset=case_detail_queryset())
    access_log_record(user=request.user, obj=case, how=AccessLog.How.PAGE, request=request)
    criteria = criteria_for_case(case)
    reviewers = list(reviewers_for_assignment())
    events = list(case.events.all())
    role = user_role(request.user)
    licenses = []
    if role == Role.PHYSICIAN:
        licenses = list(PhysicianLicense.objects.filter(physician=request.user).order_by("state"))
    talks_list = case_peer_to_peers(case=case)
    decision = case.current_decisions[0] if case.current_decisions else None
    pends_list = list(case.pends.all())
    return {
        "case": case,
        "member": case.member,
        "coverage": case.coverage,
        "lines": list(case.lines.all()),
        "diagnoses": list(case.diagnoses.all()),
        "attachments": list(case.attachments.all()),
        "events": events,
        "notes": [e for e in events if e.kind == CaseEvent.Kind.NOTE_ADDED],
        "prior": prior_requests(case=case, user=request.user),
        "criteria": criteria,
        "decision": decision,
        "open_pend": next((p for p in pends_list if p.is_open), None),
        "appeals": list(case.appeals.all()),
        # Letters with their status; held ones say what is missing (notifications panel).
        "letters": list(case.letters.all()),
        "show_internal": True,
        "talks": talks_list,
        "open_talk": next((t for t in talks_list if t.status in ("requested", "scheduled")), None),
        "licenses": licenses,
        "license_here": next((lic for lic in licenses if lic.state == case.member.state), None),
        "role": role,
        "can": {
            "mn": user_can(request.user, Perm.CASE_DENY_MEDICAL_NECESSITY),
            "talk": user_can(request.user, Perm.PEER_TO_PEER_CONDUCT),
            "act": case.is_open and (role == Role.PHYSICIAN or case.status != "physician_review"),
            # A talk this physician held changed the adverse decision: offer to revise it,
            # unless an appeal is open (an independent physician decides it then).
            "revise": role == Role.PHYSICIAN
            and case.status in ("denied", "partially_approved")
            and any(t.outcome == "changed" and t.physician_id == request.user.pk for t in talks_list)
            and not any(a.status == "open" for a in case.appeals.all()),
        },
        "forms": _forms(case, user=request.user, criteria=criteria, reviewers=reviewers, data=data, which=which),
        "error": error,
    }


@login_required
def review(request, case_id):
    return render(request, "reviews/case.html", review_context(request, case_id))


def _act(request, case_id, which: str, run, success: str):
    """Validate the posted form, call the service, redirect; on a refusal show the page again
    with the current state, the message and the refusal's status (400, 403, 409)."""
    context = review_context(request, case_id, data=request.POST, which=which)
    form = context["forms"][which]
    if not form.is_valid():
        context["error"] = "Please correct the highlighted fields."
        return render(request, "reviews/case.html", context, status=400)
    try:
        run(form.cleaned_data)
    except NotFound:
        raise
    except DomainError as exc:
        # Show the new state (someone else may have acted) with the posted form kept.
        context = review_context(request, case_id, data=request.POST, which=which, error=exc.message)
        for field, msgs in exc.errors.items():
            target = context["forms"][which]
            if field in target.fields:
                for msg in msgs:
                    target.add_error(field, msg)
        return render(request, "reviews/case.html", context, status=exc.status_code)
    messages.success(request, success)
    return redirect("reviews:case", case_id=case_id)


def _reviewer(username: str):
    return assignment.reviewer_by_username(username=username) if username else None


@login_required
@require_POST
def claim(request, case_id):
    case = case_for_user(request.user, case_id, need=Perm.CASE_ASSIGN)
    try:
        assignment.case_assign(case_id=case.pk, actor=request.user, expected_version=_int(request.POST.get("version")))
    except NotFound:
        raise
    except DomainError as exc:
        context = review_context(request, case_id, error=exc.message)
        return render(request, "reviews/case.html", context, status=exc.status_code)
    messages.success(request, f"You claimed {case.reference}.")
    return redirect("reviews:case", case_id=case_id)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def reassign(request, case_id):
    return _act(
        request, case_id, "reassign",
        lambda d: assignment.case_assign(
            case_id=case_id, actor=request.user, assignee=_reviewer(d["username"]), expected_version=d["version"]
        ),
        "Case reassigned.",
    )  # fmt: skip


@login_required
@require_POST
def note(request, case_id):
    return _act(
        request, case_id, "note",
        lambda d: assignment.case_note_add(case_id=case_id, actor=request.user, text=d["text"]),
        "Note added.",
    )  # fmt: skip


@login_required
@require_POST
def pend(request, case_id):
    return _act(
        request, case_id, "pend",
        lambda d: pends.case_pend(
            case_id=case_id, actor=request.user, requested_information=d["requested_information"],
            respond_by=d["respond_by"], expected_version=d["version"],
        ),
        "Pended: the provider is asked for the information.",
    )  # fmt: skip


@login_required
@require_POST
def approve(request, case_id):
    return _act(
        request, case_id, "approve",
        lambda d: decisions.case_approve(
            case_id=case_id, actor=request.user, rationale=d["rationale"], criteria_ids=d["criteria_ids"],
            expected_version=d["version"],
        ),
        "Approved. Letters go to the member and the providers.",
    )  # fmt: skip


@login_required
@require_POST
def route(request, case_id):
    return _act(
        request, case_id, "route",
        lambda d: pends.case_route_to_physician(
            case_id=case_id, actor=request.user, note=d["reason"], physician=_reviewer(d["physician"]),
            expected_version=d["version"],
        ),
        "Routed to physician review.",
    )  # fmt: skip


@login_required
@require_POST
def deny(request, case_id):
    return _act(
        request, case_id, "deny",
        lambda d: decisions.case_deny(
            case_id=case_id, actor=request.user, basis=d["basis"], reason=d["reason"],
            criteria_ids=d["criteria_ids"], password=d["password"], expected_version=d["version"],
        ),
        "Denied. Letters go to the member and the providers.",
    )  # fmt: skip


@login_required
@require_POST
def partially_approve(request, case_id):
    # A nurse is refused before the form is read: the same 403 whatever was posted.
    if not user_can(request.user, Perm.CASE_PARTIALLY_APPROVE):
        case_for_user(request.user, case_id, need=Perm.QUEUE_WORK)
        context = review_context(request, case_id, error=decisions.MEDICAL_NECESSITY_REFUSED)
        return render(request, "reviews/case.html", context, status=403)
    return _act(
        request, case_id, "partial",
        lambda d: decisions.case_partially_approve(
            case_id=case_id, actor=request.user, reason=d["reason"], criteria_ids=d["criteria_ids"],
            lines=_posted_lines(request, case_id, d), password=d["password"], expected_version=d["version"],
        ),
        "Partially approved. Letters go to the member and the providers.",
    )  # fmt: skip


def _posted_lines(request, case_id, data) -> list[dict]:
    return [
        {"id": key.removeprefix("line_"), "approved_units": value}
        for key, value in data.items()
        if key.startswith("line_") and value is not None
    ]


@login_required
@require_POST
def offer_talk(request, case_id):
    return _act(
        request, case_id, "offer",
        lambda d: talks.peer_to_peer_offer(case_id=case_id, actor=request.user, phone=d["phone"]),
        "Peer-to-peer talk offered: log your calls on the peer-to-peer page.",
    )  # fmt: skip


@login_required
@require_POST
def revise(request, case_id):
    if not user_can(request.user, Perm.CASE_DENY_MEDICAL_NECESSITY):
        case_for_user(request.user, case_id, need=Perm.QUEUE_WORK)
        context = review_context(request, case_id, error=decisions.MEDICAL_NECESSITY_REFUSED)
        return render(request, "reviews/case.html", context, status=403)
    return _act(
        request, case_id, "revise",
        lambda d: decisions.case_decision_revise(
            case_id=case_id, actor=request.user, outcome=d["outcome"], reason=d["reason"],
            criteria_ids=d["criteria_ids"], lines=_posted_lines(request, case_id, d), password=d["password"],
            expected_version=d["version"],
        ),
        "Decision revised after the peer-to-peer talk. New letters go out.",
    )  # fmt: skip
