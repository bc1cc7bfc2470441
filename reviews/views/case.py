"""The review page and its action forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.actions import action_input, action_page, actions_allowed
from cases.models import CaseEvent, CaseStatus
from criteria.selectors import criteria_for_case
from notifications.services.alerts import notifications_read_for_case
from um_portal.audit import access_log_record
from um_portal.exceptions import DomainError, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm, Role, user_can, user_role

from ..actions import REVIEW_ACTIONS
from ..models import PhysicianLicense
from ..referral_actions import REFERRAL_NURSE_ACTIONS, OutOfNetworkApproveForm
from ..selectors import (
    case_detail,
    case_peer_to_peers,
    prior_requests,
    queue_next_case,
    reviewers_for_assignment,
)
from ..selectors_reasons import reason_codes_in_use
from ..selectors_referrals import referral_panel
from ..selectors_worksheet import worksheets_for_review
from ..services.common import require_open
from ..services.worksheets import worksheet_save
from .worksheet import ANSWER_CHOICES, answers_from_post, rows_with_posted, worksheet_rows

# The actions of the review page (the deadline extension answers differently, below).
PAGE_ACTIONS = {name: action for name, action in REVIEW_ACTIONS.items() if name != "extend"}


def _forms(case, *, user, criteria, reviewers, data=None, which=None):
    """Every action's form, bound only for the one that was posted (to show its errors).
    Each form's ids carry its action's name (`id_deny_criteria_ids_0`): the forms share
    field names, and a shared id made a label in one form tick the box in another."""
    page = {
        "reason_codes": reason_codes_in_use(on=timezone.localdate()),
        "criteria": criteria,
        "reviewers": reviewers,
        "lines": list(case.lines.all()),
        "bases": None if user_can(user, Perm.CASE_DENY_MEDICAL_NECESSITY) else ["benefit", "administrative"],
    }
    initial = {"version": case.version}
    return {
        name: action.form(data if name == which else None, initial=initial, auto_id=f"id_{name}_%s", **page)
        for name, action in PAGE_ACTIONS.items()
    }


def review_context(request, case_id, *, data=None, which=None, error=None) -> dict:
    case = case_detail(user=request.user, case_id=case_id, need=Perm.QUEUE_WORK)
    access_log_record(user=request.user, obj=case, how=AccessLog.How.PAGE, request=request)
    criteria = criteria_for_case(case)
    reviewers = list(reviewers_for_assignment(state=case.member.state))
    events = list(case.events.all())
    role = user_role(request.user)
    licenses = []
    if role == Role.PHYSICIAN:
        licenses = list(PhysicianLicense.objects.filter(physician=request.user).order_by("state"))
    talks_list = case_peer_to_peers(case=case)
    decision = case.current_decisions[0] if case.current_decisions else None
    pends_list = list(case.pends.all())
    sheets = worksheets_for_review(case=case, user=request.user)
    # A referral shows its referral management panel (issue 20); other requests read nothing more.
    referral = referral_panel(case)
    can = _buttons(request.user, case)
    if referral is not None:
        can.update(actions_allowed(request.user, case, REFERRAL_NURSE_ACTIONS))
    return {
        "case": case,
        "member": case.member,
        "coverage": case.coverage,
        "lines": list(case.lines.all()),
        "diagnoses": list(case.diagnoses.all()),
        "attachments": list(case.attachments.all()),
        "events": events,
        "notes": [e for e in events if e.kind == CaseEvent.Kind.NOTE_ADDED],
        # The nurse's note on routing, at the top while a physician reviews (issue 22, item 4).
        "routing_note": next((e for e in reversed(events) if e.kind == CaseEvent.Kind.ROUTED_TO_PHYSICIAN), None)
        if case.status == CaseStatus.PHYSICIAN_REVIEW
        else None,
        "prior": prior_requests(case=case, user=request.user),
        "criteria": criteria,
        # The reviewer's draft worksheet as form rows, the other reviewers' drafts beside it.
        "worksheet_rows": worksheet_rows(criteria, sheets.mine),
        "worksheet_mine": sheets.mine,
        "worksheet_others": sheets.others,
        "answer_choices": ANSWER_CHOICES,
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
        "can": can,
        "referral": referral,
        "referral_forms": {"approve": OutOfNetworkApproveForm(auto_id="id_oon_%s")} if referral else {},
        "forms": _forms(case, user=request.user, criteria=criteria, reviewers=reviewers, data=data, which=which),
        "error": error,
    }


@login_required
def review(request, case_id):
    context = review_context(request, case_id)
    notifications_read_for_case(user=request.user, case_id=context["case"].pk)
    return render(request, "reviews/case.html", context)


def _buttons(user, case) -> dict:
    """Which action buttons the user sees: each action's role and its service's guard."""
    can = actions_allowed(user, case, REVIEW_ACTIONS)
    # The decision panel shows while the reviewer may work the case (a routed case is the physician's).
    can["act"] = any(can[name] for name in ("approve", "pend", "route", "deny", "partial"))
    can["mn"] = user_can(user, Perm.CASE_DENY_MEDICAL_NECESSITY)
    can["talk"] = user_can(user, Perm.PEER_TO_PEER_CONDUCT)
    # The worksheet: a reviewer who may still work the case (the service's own guard).
    try:
        require_open(case, actor=user)
        can["worksheet"] = user_role(user) in (Role.NURSE, Role.PHYSICIAN)
    except DomainError:
        can["worksheet"] = False
    return can


@login_required
@require_POST
def act(request, case_id, name: str):
    """The review page's door for every action: refuse a role before the form (the same 403
    whatever was posted), validate the form, call the action's service, redirect; on a
    refusal show the page again with the current state, the message and the refusal's
    status (400, 403, 409)."""
    action = PAGE_ACTIONS[name]
    context = review_context(request, case_id, data=request.POST, which=name)
    try:
        case = action.precheck(request.user, case_id, need=action.perm)
    except NotFound:
        raise
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "reviews/case.html", context, status=exc.status_code)
    form = context["forms"][name]
    if not form.is_valid():
        context["error"] = "Please correct the highlighted fields."
        return render(request, "reviews/case.html", context, status=400)
    try:
        result = action.run(request.user, case, action_input(form))
    except NotFound:
        raise
    except DomainError as exc:
        # Show the new state (someone else may have acted) with the posted form kept.
        context = review_context(request, case_id, data=request.POST, which=name, error=exc.message)
        for field, msgs in exc.errors.items():
            target = context["forms"][name]
            if field in target.fields:
                for msg in msgs:
                    target.add_error(field, msg)
        return render(request, "reviews/case.html", context, status=exc.status_code)
    messages.success(request, action.message(result, case))
    if request.POST.get("and_next"):
        following = queue_next_case(user=request.user, after_case_id=case.pk)
        if following is not None:
            return redirect("reviews:case", case_id=following.pk)
        messages.info(request, "Nothing else is waiting in your queue.")
    return redirect("reviews:case", case_id=case_id)


act.case_actions = PAGE_ACTIONS  # what the door serves (the registry test walks the URLs)

# The deadline extension answers with a message on the case page, as it always has.
extend = action_page({"extend": REVIEW_ACTIONS["extend"]}, back="reviews:case")


@login_required
@require_POST
def worksheet_post(request, case_id):
    """Save the reviewer's draft worksheet; a refusal shows the page again with the message."""
    try:
        worksheet_save(case_id=case_id, actor=request.user, answers=answers_from_post(request.POST))
    except NotFound:
        raise
    except DomainError as exc:
        context = review_context(request, case_id, error=exc.message)
        context["worksheet_rows"] = rows_with_posted(context["worksheet_rows"], request.POST)
        return render(request, "reviews/case.html", context, status=exc.status_code)
    messages.success(request, "Worksheet saved as your draft. It is frozen with the decision.")
    return redirect("reviews:case", case_id=case_id)
