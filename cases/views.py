"""Provider pages: dashboard, eligibility, the guided request form, the case page.
Thin: access through `cases.access`, writes through the services."""

import re
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from criteria.selectors import criteria_in_force
from notifications.access import letter_visible_to
from notifications.services.alerts import notifications_read_for_case
from reviews.models import Pend
from reviews.provider_actions import PROVIDER_ACTIONS
from reviews.referral_actions import REDIRECTION_OFFICE_ACTIONS, RedirectionDeclineForm
from reviews.selectors import case_detail
from reviews.selectors_referrals import office_redirections
from reviews.selectors_worklist import provider_worklist
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import Conflict, DomainError, NotAllowed
from um_portal.idempotency import idempotent_run
from um_portal.models import AccessLog
from um_portal.roles import Perm, Role, user_can, user_role

from . import forms
from .actions import actions_allowed
from .models import AuthorizationRequest, CaseStatus, Channel, Member, ReviewType, ServiceCategory, Urgency
from .requirements_check import needless_request_warning
from .selectors import case_list_page, case_related_attach, member_eligibility, member_find
from .services.attachments import attachment_check
from .services.fax import fax_for_user, fax_receipt_key
from .services.fax_ocr import fax_prefill_record
from .services.intake import authorization_submit, authorization_submit_check
from .views_fax_keying import keying_context, keying_open, prefill_mark, submitted_values

PAGE_SIZE = 25

ELIGIBILITY_PREFILL_KEY = "eligibility_prefill"


@login_required
def dashboard(request):
    """The organization's requests (as requester or servicer), newest first, with filters."""
    if not (user_can(request.user, Perm.CASE_VIEW_OWN_ORG) or user_can(request.user, Perm.CASE_VIEW_ALL)):
        raise NotAllowed("Your role has no request list.")
    qs = AuthorizationRequest.objects.all()
    filters = {
        "status": request.GET.get("status", ""),
        "urgency": request.GET.get("urgency", ""),
        "service_category": request.GET.get("service_category", ""),
        "q": request.GET.get("q", "").strip()[:40],
    }
    if filters["status"] == "open":
        qs = qs.filter(
            status__in=[CaseStatus.RECEIVED, CaseStatus.IN_REVIEW, CaseStatus.PENDED, CaseStatus.PHYSICIAN_REVIEW]
        )
    elif filters["status"] in CaseStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters["urgency"] in Urgency.values:
        qs = qs.filter(urgency=filters["urgency"])
    if filters["service_category"] in ServiceCategory.values:
        qs = qs.filter(service_category=filters["service_category"])
    if filters["q"]:
        q = filters["q"].upper()
        qs = qs.filter(reference=q) if q.startswith("UM-") else qs.filter(member_id__in=_members_matching(filters["q"]))
    # Keyset pages newest first, on an index whatever the organization's size: no COUNT
    # (issue #13), so the pager says "newer" and "older", not "page 3 of 2,000".
    cursor = request.GET.get("cursor") or None
    page = case_list_page(user=request.user, queryset=qs, cursor=cursor, limit=PAGE_SIZE)
    rows = case_related_attach(page.rows)
    prefetch_related_objects(rows, "lines")
    # A pended row shows the office's respond-by date, not the plan's clock (issue 22, item 2).
    pended = [case for case in rows if case.status == CaseStatus.PENDED]
    prefetch_related_objects(
        pended, Prefetch("pends", queryset=Pend.objects.filter(responded_at__isnull=True), to_attr="open_pends")
    )
    access_log_record_many(user=request.user, objs=rows, how=AccessLog.How.PAGE, request=request)
    query = request.GET.copy()
    query.pop("cursor", None)
    # What needs the office now, on the first page of the unfiltered list (issue 22, item 2).
    worklist = None
    if user_role(request.user) == Role.PROVIDER and cursor is None and not any(filters.values()):
        worklist = provider_worklist(user=request.user)
    return render(
        request,
        "cases/dashboard.html",
        {
            "worklist": worklist,
            "rows": rows,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "statuses": CaseStatus.choices,
            "urgencies": Urgency.choices,
            "categories": ServiceCategory.choices,
            "can_submit": user_can(request.user, Perm.CASE_SUBMIT)
            or user_can(request.user, Perm.CASE_ENTER_FOR_OTHERS),
        },
    )


def _members_matching(text: str):
    """Members by number (a number has digits) or by name: each word starts the first or
    the last name ("marl", "alice marlowe")."""
    if any(ch.isdigit() for ch in text):
        return Member.objects.filter(member_number=text.upper()).values("pk")
    name = Q()
    for word in text.split()[:3]:
        name &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    return Member.objects.filter(name).values("pk")


@login_required
def eligibility(request):
    """Check a member's coverage by member number and date of birth (both required)."""
    if not user_can(request.user, Perm.ELIGIBILITY_CHECK):
        raise NotAllowed("Your role does not allow eligibility checks.")
    # POST, not GET: a member number and birth date in the URL would land in browser
    # history, proxy logs and Referer headers (PHI in query strings, issue 8).
    form = forms.EligibilityForm(request.POST or None)
    result = None
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        member = member_find(
            member_number=form.cleaned_data["member_number"], date_of_birth=form.cleaned_data["date_of_birth"]
        )
        if member is not None:
            access_log_record(user=request.user, obj=member, how=AccessLog.How.PAGE, request=request)
            # "Start a request for this member" prefills from the session, not the URL.
            request.session[ELIGIBILITY_PREFILL_KEY] = {
                "member_number": member.member_number,
                "member_date_of_birth": member.date_of_birth.isoformat(),
            }
            day = form.cleaned_data["on"] or timezone.localdate()
            result = {"member": member, "eligibility": member_eligibility(member=member, day=day)}
    return render(request, "cases/eligibility.html", {"form": form, "result": result, "searched": searched})


def _own_npis(user) -> list[tuple[str, str]]:
    org = getattr(user, "organization", None)
    if org is None:
        return []
    return [(org.npi, org.name)] + [(p.npi, p.name) for p in org.practitioners.all()]


@login_required
def submit(request):
    """The guided request form. It calls the same intake service as the API; its hidden
    token makes a double-clicked Submit create one case."""
    staff = user_can(request.user, Perm.CASE_ENTER_FOR_OTHERS)
    if not (staff or user_can(request.user, Perm.CASE_SUBMIT)):
        raise NotAllowed("Your role does not allow submitting requests.")
    duplicate = not_required = None
    keying = {}
    if request.method == "POST":
        form = forms.SubmitForm(request.POST, request.FILES, staff=staff)
        lines = forms.LineFormSet(request.POST, prefix="lines")
        if staff and request.POST.get("fax_receipt"):  # shown again: the fax stays beside the form
            keying = keying_context(*keying_open(request, request.POST["fax_receipt"], request.POST.get("fax_request")))
        if form.is_valid() and lines.is_valid():
            not_required = None if form.cleaned_data["confirm_not_required"] else _needless_warning(form, lines)
            if not_required is not None:
                status = 200
            else:
                try:
                    return _submit(request, form, lines)
                except DomainError as error:
                    _attach_errors(form, lines, error)
                    if isinstance(error, Conflict) and error.code == "likely_duplicate":
                        duplicate = error.message
                    status = error.status_code
        else:
            _check_the_rest(request.user, form, lines)
            status = 400
    else:
        prefill = (
            request.session.pop(ELIGIBILITY_PREFILL_KEY, None) if request.GET.get("from") == "eligibility" else None
        )
        initial = dict(prefill or {})
        fax_prefill = None
        if staff and request.GET.get("fax"):
            fax, fax_prefill = keying_open(request, request.GET["fax"], request.GET.get("request"))
            initial.update(
                channel=Channel.FAX,
                received_at=timezone.localtime(fax.received_at).strftime("%Y-%m-%dT%H:%M"),
                fax_receipt=fax.pk,
                fax_request=fax_prefill.request_index,
            )
            keying = keying_context(fax, fax_prefill)
        own = _own_npis(request.user)
        if own:
            initial["requesting_provider_npi"] = own[-1][0] if len(own) > 1 else own[0][0]
            initial["servicing_provider_npi"] = own[0][0]
        if fax_prefill is not None:
            initial.update(fax_prefill.initial)  # OCR pre-fill (issue 18, item 2)
        form = forms.SubmitForm(initial=initial, staff=staff)
        lines = forms.LineFormSet(prefix="lines", initial=fax_prefill.line_initial if fax_prefill else None)
        if fax_prefill is not None:
            prefill_mark(form, lines, fax_prefill)
        status = 200
    return render(
        request,
        "cases/submit.html",
        {
            "form": form,
            "lines": lines,
            "own_npis": _own_npis(request.user),
            "duplicate": duplicate,
            "not_required": not_required,
            "staff": staff,
            "checklists": _checklists(form, lines),
            "error_summary": _error_summary(form, lines) if form.is_bound else [],
            # A browser never sends a file input back: say plainly what to attach again.
            "reattach": [f.name for f in request.FILES.getlist("documents")] if form.is_bound else [],
            **keying,
        },
        status=status,
    )


def _check_the_rest(user, form, lines) -> None:
    """The form's own checks failed: ask the intake service about every field they let
    through, so one submit lists every problem (member, NPIs, codes, dates), not rounds."""
    data = form.cleaned_data
    line_forms_ok = all(not f.errors for f in lines.forms) and not lines.non_form_errors()
    errors = authorization_submit_check(
        user=user,
        member_number=data.get("member_number", ""),
        member_date_of_birth=data.get("member_date_of_birth"),
        requesting_provider_npi=data.get("requesting_provider_npi", ""),
        servicing_provider_npi=data.get("servicing_provider_npi", ""),
        service_category=data.get("service_category", ""),
        diagnosis_codes=form.diagnosis_list() if data.get("diagnosis_codes") else [],
        # Lines are checked by the service only when each filled row passed the form, so
        # its "Line N" is the row the person sees.
        lines=[dict(f.cleaned_data) for f in lines.forms if f.cleaned_data] if line_forms_ok else [],
        review_type=data.get("review_type") or ReviewType.PROSPECTIVE,
        urgency=data.get("urgency") or Urgency.STANDARD,
        expedited_reason=data.get("expedited_reason", ""),
        place_of_service=data.get("place_of_service", ""),
        channel=data.get("channel") or None,
        received_at=data.get("received_at"),
    )
    for name, messages in errors.items():
        if name == "lines":
            if line_forms_ok:
                lines._non_form_errors = lines.non_form_errors() + messages
        elif name in form.fields and name not in form.errors:
            for message in messages:
                form.add_error(name, message)


_LINE_NUMBER = re.compile(r"^Line (\d+):")


def _error_summary(form, lines) -> list[dict]:
    """Every problem on the page, each with the id of the field it is about, for the
    summary at the top whose links move focus to the field (submit.js)."""
    items = [{"href": "", "text": str(message)} for message in form.non_field_errors()]
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        field = form[name]
        items += [{"href": field.id_for_label, "text": f"{field.label}: {m}"} for m in messages]
    for number, line in enumerate(lines.forms, start=1):
        for name, messages in line.errors.items():
            field = line["code"] if name == NON_FIELD_ERRORS else line[name]
            label = f"Line {number}" if name == NON_FIELD_ERRORS else f"Line {number}, {field.label}"
            items += [{"href": field.id_for_label, "text": f"{label}: {m}"} for m in messages]
    for message in lines.non_form_errors():
        match = _LINE_NUMBER.match(str(message))
        index = int(match.group(1)) - 1 if match and int(match.group(1)) <= len(lines.forms) else 0
        items.append({"href": lines.forms[index]["code"].id_for_label, "text": str(message)})
    return items


def _checklists(form, lines) -> list[dict]:
    """The criteria checklists of the codes entered, with the boxes ticked before, for a
    form shown again (submit.js draws them as codes are typed)."""
    if not form.is_bound:
        return []
    codes = [line.data.get(line.add_prefix("code"), "") for line in lines.forms]
    starts = [line.data.get(line.add_prefix("start_date"), "") for line in lines.forms]
    try:
        on = date.fromisoformat(next(s for s in starts if s))
    except (StopIteration, ValueError):
        on = timezone.localdate()
    ticked = set(form.data.getlist("checklist"))
    checklists = []
    for version in criteria_in_force(on=on, codes=[c[:5] for c in codes if c and c.isascii() and c.isalnum()]):
        tokens = [f"{version.pk}:{i}" for i in range(len(version.indications or []))]
        items = [(token, text, token in ticked) for token, text in zip(tokens, version.indications or [], strict=True)]
        checklists.append({"version": version, "items": items})
    return checklists


def _needless_warning(form, lines) -> str | None:
    data = form.cleaned_data
    return needless_request_warning(
        member_number=data["member_number"],
        member_date_of_birth=data["member_date_of_birth"],
        servicing_provider_npi=data["servicing_provider_npi"],
        place_of_service=data["place_of_service"],
        lines=[dict(f.cleaned_data) for f in lines.forms if f.cleaned_data],
    )


def _submit(request, form, lines):
    data = form.cleaned_data
    documents = data["documents"]
    for document in documents:
        attachment_check(document)  # refuse a wrong file before anything is written
    line_data = [dict(f.cleaned_data) for f in lines.forms if f.cleaned_data]
    fax = fax_for_user(request.user, data["fax_receipt"]) if data.get("fax_receipt") else None

    def run():
        with transaction.atomic():
            case = authorization_submit(
                user=request.user,
                member_number=data["member_number"],
                member_date_of_birth=data["member_date_of_birth"],
                requesting_provider_npi=data["requesting_provider_npi"],
                servicing_provider_npi=data["servicing_provider_npi"],
                service_category=data["service_category"],
                review_type=data["review_type"],
                urgency=data["urgency"],
                expedited_reason=data["expedited_reason"],
                diagnosis_codes=form.diagnosis_list(),
                lines=line_data,
                clinical_summary=data["clinical_summary"],
                place_of_service=data["place_of_service"],
                # A keyed fax's own receipt time, to the second (the form shows minutes).
                channel=Channel.FAX if fax else data.get("channel") or None,
                received_at=fax.received_at if fax else data.get("received_at"),
                confirm_duplicate=data["confirm_duplicate"],
                door=Channel.PORTAL,
                documents=documents,
                checklist=data["checklist"],
            )
            if fax is not None:
                fax_receipt_key(user=request.user, fax_id=fax.pk, case=case)
                fax_prefill_record(
                    fax=fax,
                    case=case,
                    request_index=data.get("fax_request") or 0,
                    submitted=submitted_values(form, line_data),
                )
        return 302, {"case_id": str(case.pk), "reference": case.reference}

    _status, body, _replayed = idempotent_run(
        user=request.user,
        key=f"form:{data['idempotency_token']}",
        path=request.path,
        payload={"token": data["idempotency_token"]},
        run=run,
    )
    return redirect(reverse("cases:detail", kwargs={"case_id": body["case_id"]}) + "?submitted=1")


def _attach_errors(form, lines, error: DomainError) -> None:
    placed = False
    for field, messages in error.errors.items():
        target = form if field in form.fields else None
        for message in messages:
            if target is not None:
                target.add_error(field, message)
                placed = True
            elif field == "lines":
                lines._non_form_errors = lines.non_form_errors() + [message]
                placed = True
    if not placed or not error.errors:
        form.add_error(None, error.message)


@login_required
def detail(request, case_id):
    """Everything about one request: status and due time, member, providers, lines,
    decision, request for information, documents, letters, appeals, timeline, actions."""
    case = case_detail(user=request.user, case_id=case_id)
    access_log_record(user=request.user, obj=case, how=AccessLog.How.PAGE, request=request)
    notifications_read_for_case(user=request.user, case_id=case.pk)
    provider = user_role(request.user) == Role.PROVIDER
    decision = (getattr(case, "current_decisions", None) or [None])[0]
    pends = sorted(case.pends.all(), key=lambda p: p.requested_at, reverse=True)
    open_pend = next((p for p in pends if p.responded_at is None), None)
    appeals = list(case.appeals.all())
    p2ps = list(case.peer_to_peers.all())
    # The buttons: each action's role and the guard its service applies (reviews.provider_actions).
    can = actions_allowed(request.user, case, PROVIDER_ACTIONS)
    # A referral shows the in-network redirection the plan proposed, if any (issue 20).
    referral = office_redirections(case)
    if referral is not None:
        can.update(actions_allowed(request.user, case, REDIRECTION_OFFICE_ACTIONS))
    timeline = [e for e in case.events.all() if e.provider_visible or not provider]
    clocks = [
        {**clock, "due_at": parse_datetime(clock["due_at"]) if isinstance(clock.get("due_at"), str) else None}
        for clock in case.clocks or []
    ]
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "decision": decision,
            "authorization": getattr(case, "authorization", None),
            "open_pend": open_pend,
            "pends": pends,
            "appeals": appeals,
            "p2ps": p2ps,
            "letters": [
                letter for letter in case.letters.all() if letter.is_issued and letter_visible_to(request.user, letter)
            ],
            "attachments": list(case.attachments.all()),
            "timeline": timeline,
            "clocks": clocks,
            "can": can,
            "submitted": request.GET.get("submitted") == "1",
            "document_form": forms.DocumentForm(),
            "respond_form": forms.RespondForm(),
            "withdraw_form": forms.WithdrawForm(),
            "change_form": forms.AuthorizationChangeForm(auto_id="id_change_%s"),
            "p2p_form": forms.PeerToPeerForm(),
            "appeal_form": forms.AppealForm(auto_id="id_appeal_%s"),
            "referral": referral,
            "redirection_decline_form": RedirectionDeclineForm(auto_id="id_redirection_%s") if referral else None,
        },
    )
