"""The user's own notifications: list, mark read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from um_portal.validators import is_ascii_digits

from .models import Notification
from .services.alerts import notification_case_url, notification_mark_read

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request):
    qs = Notification.objects.filter(user=request.user).select_related("case").order_by("-id")
    before = request.GET.get("before", "")
    if is_ascii_digits(before):
        qs = qs.filter(id__lt=int(before))
    items = list(qs[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": items,
            "groups": _by_case(items, reader=request.user),
            "next_before": items[-1].pk if more else None,
        },
    )


def _by_case(items, *, reader) -> list[dict]:
    """The page's notices grouped by case, newest case first, each group with the link to
    its case (issue 22, item 4: three alerts of one case were three loose lines)."""
    groups: dict = {}
    for notification in items:
        key = notification.case_id or f"n{notification.pk}"
        if key not in groups:
            groups[key] = {
                "case": notification.case,
                "url": notification_case_url(notification, reader=reader),
                "items": [],
                "unread": 0,
            }
        groups[key]["items"].append(notification)
        groups[key]["unread"] += notification.read_at is None
    return list(groups.values())


@login_required
@require_POST
def notification_read(request, notification_id: int):
    # Only the user's own notifications match; anyone else's id simply changes nothing.
    notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:list")
