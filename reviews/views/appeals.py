from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.access import case_for_user
from criteria.selectors import criteria_for_case
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import DomainError, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..forms import AppealDecideForm
from ..selectors import appeal_detail_queryset, appeals_page
from ..selectors_reasons import reason_codes_in_use
from ..services.appeals import appeal_decide, appeal_involved_user_ids
from .common import require


@login_required
def appeal_queue(request):
    require(request.user, Perm.APPEAL_DECIDE, "Only physicians decide appeals.")
    page = appeals_page(user=request.user, cursor=request.GET.get("cursor"))
    access_log_record_many(user=request.user, objs=[a.case for a in page.rows], how=AccessLog.How.PAGE, request=request)
    return render(request, "reviews/appeals.html", {"page": page})


def _appeal_context(request, appeal_id, *, data=None, error=None) -> dict:
    require(request.user, Perm.APPEAL_DECIDE, "Only physicians decide appeals.")
    appeal = appeal_detail_queryset().filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("No such appeal.")
    case = case_for_user(request.user, appeal.case_id, need=Perm.APPEAL_DECIDE)
    access_log_record(user=request.user, obj=case, how=AccessLog.How.PAGE, request=request)
    lines = list(case.lines.all())
    criteria = criteria_for_case(case)
    form = AppealDecideForm(
        data,
        initial={"version": appeal.version},
        criteria=criteria,
        lines=lines,
        reason_codes=reason_codes_in_use(on=timezone.localdate()),
    )
    return {
        "appeal": appeal,
        "case": case,
        "lines": lines,
        "criteria": criteria,
        "form": form,
        "involved": request.user.pk in appeal_involved_user_ids(appeal),
        "error": error,
    }


@login_required
def appeal_detail(request, appeal_id):
    return render(request, "reviews/appeal.html", _appeal_context(request, appeal_id))


@login_required
@require_POST
def appeal_decide_view(request, appeal_id):
    context = _appeal_context(request, appeal_id, data=request.POST)
    form = context["form"]
    if not form.is_valid():
        context["error"] = "Please correct the highlighted fields."
        return render(request, "reviews/appeal.html", context, status=400)
    data = form.cleaned_data
    try:
        appeal_decide(
            appeal_id=appeal_id,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            criteria_ids=data["criteria_ids"],
            lines=form.lines_value() if data["outcome"] == "partially_overturned" else None,
            password=data["password"],
            expected_version=data["version"],
            reason_code=data.get("reason_code"),
        )
    except NotFound:
        raise
    except DomainError as exc:
        context = _appeal_context(request, appeal_id, data=request.POST, error=exc.message)
        return render(request, "reviews/appeal.html", context, status=exc.status_code)
    messages.success(request, "Appeal decided. Letters go to the member and the providers.")
    return redirect("reviews:appeal", appeal_id=appeal_id)
