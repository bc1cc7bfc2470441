"""The periodic letter sweep: catch up on letter-worthy events whose letters were never
generated (a lost broker message), re-run letters left pending, and alert once when a
notice deadline passes. Bounded batches; every effect is claimed so two beats are harmless."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases import events
from cases.models import AuthorizationRequest, CaseEvent, CaseStatus
from um_portal.enqueue import task_send
from um_portal.roles import Role, users_with_role

from ..letters.kinds import LETTER_EVENT_KINDS
from ..models import Letter, Notification
from ..task_names import LETTER_ISSUE, LETTERS_GENERATE_FOR_EVENT

BATCH = 200
# Events older than this are history: letters for them would be news to no one.
LOOKBACK = timedelta(days=30)
# Give the on-commit task time to run before the sweep takes over.
GRACE = timedelta(minutes=5)


def _letterless_events(now):
    has_letter = Letter.objects.filter(event=OuterRef("pk"))
    return (
        CaseEvent.objects.filter(at__gte=now - LOOKBACK, at__lte=now - GRACE)
        .filter(
            Q(kind__in=LETTER_EVENT_KINDS)
            | Q(
                kind=CaseEvent.Kind.STATUS_CHANGED,
                new_value=CaseStatus.APPROVED,
                case__kind=AuthorizationRequest.Kind.CONTINUATION_OF_CARE,
            )
        )
        .filter(~Exists(has_letter))
        .order_by("at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )


def _alert_overdue(now) -> int:
    alerted = 0
    overdue = (
        Letter.objects.filter(
            status__in=[Letter.Status.PENDING, Letter.Status.BLOCKED], due_at__lt=now, overdue_alerted_at__isnull=True
        )
        .select_related("case")
        .order_by("due_at", "id")[:BATCH]
    )
    supervisors = list(users_with_role(Role.ADMIN))
    for letter in overdue:
        with transaction.atomic():
            if not Letter.objects.filter(pk=letter.pk, overdue_alerted_at__isnull=True).update(overdue_alerted_at=now):
                continue
            message = (
                f"Notice overdue on {letter.case.reference}: the {letter.get_kind_display().lower()} letter to the "
                f"{letter.get_recipient_display().lower()} was due {timezone.localtime(letter.due_at):%Y-%m-%d %H:%M}."
            )
            events.event_alert_raised(case=letter.case, threshold="notice_overdue", message=message)
            Notification.objects.bulk_create(
                [
                    Notification(user=u, kind=Notification.Kind.OVERDUE, case=letter.case, message=message[:300])
                    for u in supervisors
                ]
            )
            alerted += 1
    return alerted


def letters_sweep(*, now=None) -> dict:
    now = now or timezone.now()
    event_ids = list(_letterless_events(now))
    for event_id in event_ids:
        task_send(LETTERS_GENERATE_FOR_EVENT, event_id)
    stale = list(
        Letter.objects.filter(status=Letter.Status.PENDING, created_at__lte=now - GRACE)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    for letter_id in stale:
        task_send(LETTER_ISSUE, str(letter_id))
    return {"events": len(event_ids), "pending": len(stale), "overdue_alerts": _alert_overdue(now)}
