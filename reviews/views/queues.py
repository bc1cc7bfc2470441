from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.selectors import CaseRead
from um_portal.audit import access_log_record_many
from um_portal.exceptions import Conflict, ValidationFailed
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from ..forms import queue_filter_selects, reviewer_label
from ..selectors import (
    QUEUE_PAGE_RELATED,
    QUEUE_PAGE_VALUES,
    QueueFilters,
    queue_values_page,
    reviewer_loads,
    reviewers_for_assignment,
)
from ..services import assignment
from .common import require

TITLES = {"nurse": "Work queue", "physician": "Physician queue"}


def _queue(request, kind: str, status: int = 200):
    require(request.user, Perm.QUEUE_WORK)
    filters = QueueFilters.from_params(request.GET)
    # Each row shows its service codes and descriptions (issue 22, item 5): one query.
    page = queue_values_page(
        user=request.user,
        kind=kind,
        filters=filters,
        cursor=request.GET.get("cursor"),
        columns=QUEUE_PAGE_VALUES,
        related=QUEUE_PAGE_RELATED,
        lines=True,
    )
    access_log_record_many(
        user=request.user,
        objs=[CaseRead(row["id"], row["member_id"]) for row in page.rows],
        how=AccessLog.How.PAGE,
        request=request,
    )
    reviewers = list(reviewers_for_assignment())
    params = request.GET.copy()
    params.pop("cursor", None)
    # UM supervisors (issue 22, item 5): tick cases to reassign, and each reviewer's load.
    supervisor = user_can(request.user, Perm.CASE_REASSIGN_BULK)
    return render(
        request,
        "reviews/queue.html",
        {
            "title": TITLES[kind],
            "kind": kind,
            "page": page,
            "filters": queue_filter_selects(kind=kind, reviewers=reviewers, filters=filters),
            "filter_query": params.urlencode(),
            "mine": filters.assignee == "me",
            "supervisor": supervisor,
            "loads": list(reviewer_loads()) if supervisor else (),
            "reassign_choices": [(u.username, reviewer_label(u)) for u in reviewers] if supervisor else (),
        },
        status=status,
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


def _seen(values) -> dict:
    """The ticked cases as {case id: version seen}, from "id:version" checkbox values."""
    seen = {}
    for value in values:
        case_id, _, version = value.partition(":")
        if not version.isdigit():
            raise ValidationFailed("A ticked case is not one the queue showed. Reload the queue and try again.")
        seen[case_id] = int(version)
    return seen


@login_required
@require_POST
def bulk_reassign(request):
    """A UM supervisor reassigns the ticked cases to one reviewer (issue 22, item 5). A
    refusal shows the queue again with the reason: 409 when a case changed meanwhile."""
    require(request.user, Perm.CASE_REASSIGN_BULK, "Only UM supervisors reassign cases in bulk.")
    kind = "physician" if request.POST.get("kind") == "physician" else "nurse"
    try:
        assignee = assignment.reviewer_by_username(username=request.POST.get("username", ""))
        cases = assignment.cases_reassign_bulk(
            actor=request.user, seen=_seen(request.POST.getlist("case")), assignee=assignee
        )
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
        return _queue(request, kind, status=exc.status_code)
    messages.success(request, f"{len(cases)} case{'s' if len(cases) != 1 else ''} now with {assignee.display_name}.")
    url = reverse(f"reviews:{kind}_queue")
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)
