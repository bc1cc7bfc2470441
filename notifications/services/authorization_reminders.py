"""The authorization expiry reminder (issue 19, item 1): 14 days before an authorization
ends, its requesting office's users get one in-portal notice linking to the case (the
e-mail says only that a notice waits, no PHI). A daily beat task; "once" is the unique
`AuthorizationReminder` row, so reruns, retries and two workers send it once, and a run
missed during an outage is caught up by the next one while the authorization is valid."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from reviews.models import Authorization
from um_portal.enqueue import task_send
from um_portal.roles import Role, users_with_role

from ..models import AuthorizationReminder, Notification
from ..task_names import NOTIFICATIONS_EMAIL_SEND

REMIND_DAYS_BEFORE = 14


def _today() -> date:
    return timezone.localdate()


def authorization_reminders_send(*, today: date | None = None) -> int:
    """Reminders sent this run (authorizations, not notices)."""
    today = today or _today()
    due = (
        Authorization.objects.filter(valid_to__gte=today, valid_to__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
        .exclude(
            Exists(AuthorizationReminder.objects.filter(authorization=OuterRef("pk"), valid_to=OuterRef("valid_to")))
        )
        .select_related("case")
        .order_by("valid_to", "pk")
    )
    sent = 0
    for authorization in due:
        if _remind(authorization):
            sent += 1
    return sent


def _remind(authorization: Authorization) -> bool:
    case = authorization.case
    try:
        with transaction.atomic():
            AuthorizationReminder.objects.create(authorization=authorization, valid_to=authorization.valid_to)
            users = users_with_role(Role.PROVIDER).filter(organization_id=case.requesting_organization_id)
            # The message is e-mailed too: the reference and number only, no dates or names.
            message = (
                f"{case.reference}: authorization {authorization.number} ends within "
                f"{REMIND_DAYS_BEFORE} days. Open the request for its dates and units."
            )
            notices = Notification.objects.bulk_create(
                [
                    Notification(user=u, kind=Notification.Kind.AUTHORIZATION_EXPIRING, case=case, message=message)
                    for u in users
                ]
            )
            to_email = [n.pk for n in notices if n.user.email]
            if to_email:
                transaction.on_commit(lambda: task_send(NOTIFICATIONS_EMAIL_SEND, to_email))
    except IntegrityError:
        return False  # another run sent it first
    return True
