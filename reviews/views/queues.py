from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.models import ServiceLine
from um_portal.audit import access_log_record_many
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..forms import QueueFilterForm
from ..selectors import QueueFilters, queue_page, reviewers_for_assignment
from ..services import assignment
from .common import require

TITLES = {"nurse": "Work queue", "physician": "Physician queue"}


def _queue(request, kind: str):
    require(request.user, Perm.QUEUE_WORK)
    filters = QueueFilters.from_params(request.GET)
    page = queue_page(user=request.user, kind=kind, filters=filters, cursor=request.GET.get("cursor"))
    # Each row shows its service codes and descriptions (issue 22, item 5): one query.
    prefetch_related_objects(
        page.rows,
        Prefetch(
            "lines", queryset=ServiceLine.objects.only("case_id", "line_number", "code_system", "code", "description")
        ),
    )
    access_log_record_many(user=request.user, objs=page.rows, how=AccessLog.How.PAGE, request=request)
    reviewers = list(reviewers_for_assignment())
    form = QueueFilterForm(request.GET or None, kind=kind, reviewers=reviewers)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "reviews/queue.html",
        {
            "title": TITLES[kind],
            "kind": kind,
            "page": page,
            "form": form,
            "filter_query": params.urlencode(),
            "mine": filters.assignee == "me",
        },
    )


@login_required
@require_POST
def claim_next(request):
    """The work queue's "Claim next": the most urgent case nobody holds, opened at once."""
    case = assignment.case_claim_next(actor=request.user)
    if case is None:
        messages.info(request, "Nothing to claim: every open case that can be worked has a reviewer.")
        return redirect("reviews:nurse_queue")
    messages.success(request, f"You claimed {case.reference}, the most urgent case nobody held.")
    return redirect("reviews:case", case_id=case.pk)


@login_required
def nurse_queue(request):
    return _queue(request, "nurse")


@login_required
def physician_queue(request):
    return _queue(request, "physician")
