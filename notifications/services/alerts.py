"""Deadline alerts reach people: an in-portal notification each, and an e-mail with no PHI
(only the case reference, what happened and when the decision is due)."""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from um_portal import timefmt
from um_portal.enqueue import task_send
from um_portal.roles import Role, alert_supervisors, user_role, users_with_role

from ..models import Notification
from ..task_names import NOTIFICATIONS_EMAIL_SEND

KIND_BY_THRESHOLD = {
    "50": Notification.Kind.DEADLINE_50,
    "75": Notification.Kind.DEADLINE_75,
    "90": Notification.Kind.DEADLINE_90,
    "overdue": Notification.Kind.OVERDUE,
    "information_notice": Notification.Kind.INFORMATION_NOTICE_DUE,
}
EMAIL_CHUNK = 200  # notification ids per e-mail task


def _local(dt) -> str:
    return timefmt.when(dt)


def alert_message(*, threshold: str, reference: str, decision_due_at, due_at) -> str:
    due = _local(decision_due_at)
    return {
        "50": f"{reference}: half of the decision time has passed. Decision due {due}.",
        "75": f"{reference}: three quarters of the decision time has passed. Decision due {due}.",
        "90": f"{reference}: 90 % of the decision time has passed (supervisor alert). Decision due {due}.",
        "overdue": f"{reference}: the decision is overdue. It was due {due}.",
        "information_notice": (
            f"{reference}: Maryland rule: tell the provider what is missing and which criteria apply"
            f" by {_local(due_at)}."
        ),
    }[threshold]


def alert_notifications_create(*, alerts: Sequence) -> dict:
    """Notify the right people of each new alert (inside the sweep's transaction); e-mails go
    out after commit. Reviewer alerts go to the assignee, or to every nurse when nobody has
    the case; the 90 % alert to the UM supervisors (the administrators where none is named,
    `alert_supervisors`); the overdue escalation to both. Returns {alert pk: how many were notified}."""
    if not alerts:
        return {}
    nurses = list(users_with_role(Role.NURSE))
    supervisors = alert_supervisors()  # the UM supervisors, else the administrators
    assignee_ids = {a.case.assigned_to_id for a in alerts if a.case.assigned_to_id}
    assignees = {u.pk: u for u in get_user_model().objects.filter(pk__in=assignee_ids, is_active=True)}
    rows, counts = [], {}
    for alert in alerts:
        case = alert.case
        reviewers = [assignees[case.assigned_to_id]] if case.assigned_to_id in assignees else nurses
        if alert.threshold == "90":
            recipients = supervisors
        elif alert.threshold == "overdue":
            recipients = list({u.pk: u for u in [*reviewers, *supervisors]}.values())
        else:
            recipients = reviewers
        message = alert_message(
            threshold=alert.threshold,
            reference=case.reference,
            decision_due_at=alert.decision_due_at,
            due_at=alert.due_at,
        )
        for user in recipients:
            rows.append(Notification(user=user, kind=KIND_BY_THRESHOLD[alert.threshold], case=case, message=message))
        counts[alert.pk] = len(recipients)
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    ids = [n.pk for n in created if n.user.email]
    for start in range(0, len(ids), EMAIL_CHUNK):
        chunk = ids[start : start + EMAIL_CHUNK]
        transaction.on_commit(lambda chunk=chunk: _enqueue_emails(chunk))
    return counts


def _enqueue_emails(ids: list[int]) -> None:
    task_send(NOTIFICATIONS_EMAIL_SEND, ids)


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification by e-mail, once: the conditional update claims it."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.email:
        return False
    try:
        send_mail(
            subject=f"[UM Portal] {notification.get_kind_display()}",
            message=f"{notification.message}\n\n{notification_link_text(notification)}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
    except Exception:
        # Unclaim so a retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def notification_case_url(notification, *, reader=None) -> str | None:
    """The page of the notice's case for its reader (the notice's user unless given): the
    provider's request page, or the reviewer's case page (issue 22, items 2 and 4)."""
    if notification.case_id is None:
        # An unkeyed fax's alert (issue 18) opens the fax; only staff who key get one.
        if getattr(notification, "fax_id", None) is not None:
            return reverse("cases:fax_detail", kwargs={"fax_id": notification.fax_id})
        return None
    if user_role(reader or notification.user) == Role.PROVIDER:
        return reverse("cases:detail", kwargs={"case_id": notification.case_id})
    return reverse("reviews:case", kwargs={"case_id": notification.case_id})


def notification_link_text(notification) -> str:
    """The e-mail's last line: a link to the case (its id is not PHI), else to the list."""
    base = settings.PORTAL_URL.rstrip("/")
    url = notification_case_url(notification)
    if url is not None:
        return f"Open the request: {base}{url}"
    return f"See your notifications: {base}{reverse('notifications:list')}"


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read. Returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def notifications_read_for_case(*, user, case_id) -> int:
    """Opening a case marks the user's notices about it read (issue 22, item 4): the notice
    led there, or the work was seen anyway. One UPDATE on the unread-by-case index."""
    return Notification.objects.filter(user=user, case_id=case_id, read_at__isnull=True).update(read_at=timezone.now())
