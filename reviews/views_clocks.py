"""Pages about decision deadlines: the "at risk" list (the extension form is a case action,
`reviews.actions`)."""

from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.models import OPEN_STATUSES, AuthorizationRequest
from um_portal.exceptions import NotAllowed
from um_portal.roles import Perm, user_can

# Under a day left is "at risk" (the same line as the amber "due soon" colour on queues).
AT_RISK_WINDOW = timedelta(hours=24)
PAGE_SIZE = 100


def at_risk_queryset(*, now: datetime):
    """Open cases overdue or due within the window, soonest first (keyset on the
    `case_open_due_idx` partial index)."""
    return (
        AuthorizationRequest.objects.filter(status__in=OPEN_STATUSES, decision_due_at__lte=now + AT_RISK_WINDOW)
        .select_related("assigned_to")
        .only(
            "id",
            "reference",
            "status",
            "urgency",
            "review_type",
            "service_category",
            "decision_due_at",
            "overdue_at",
            "clocks",
            "assigned_to__username",
            "assigned_to__first_name",
            "assigned_to__last_name",
        )
        .order_by("decision_due_at", "id")
    )


def _cursor(request) -> tuple[datetime, UUID] | None:
    try:
        due, pk = request.GET["after"].split("_", 1)
        return datetime.fromisoformat(due), UUID(pk)
    except (KeyError, ValueError):
        return None


@login_required
@require_GET
def at_risk(request):
    if not user_can(request.user, Perm.CASE_VIEW_ALL):
        raise NotAllowed("Only UMOC staff see the at-risk list.")
    now = timezone.now()
    qs = at_risk_queryset(now=now)
    cursor = _cursor(request)
    if cursor:
        qs = qs.filter(Q(decision_due_at__gt=cursor[0]) | Q(decision_due_at=cursor[0], id__gt=cursor[1]))
    cases = list(qs[: PAGE_SIZE + 1])
    more = len(cases) > PAGE_SIZE
    cases = cases[:PAGE_SIZE]
    next_cursor = f"{cases[-1].decision_due_at.isoformat()}_{cases[-1].pk}" if more else ""
    return render(
        request,
        "reviews/at_risk.html",
        {
            "cases": cases,
            "now": now,
            "next_cursor": next_cursor,
            "window_hours": int(AT_RISK_WINDOW.total_seconds() // 3600),
        },
    )
