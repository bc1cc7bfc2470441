"""Deadline alerts on unkeyed faxes (issue 18, item 1), on the machinery cases use: the same
thresholds (`cases.deadlines.alerts`: 50 % and 75 % to the nurses, 90 % to the UM
supervisors, overdue to both), the fax's next alert time kept as data on a partial index,
rows claimed with SKIP LOCKED under an advisory lock, one `FaxAlert` per fax and threshold
(unique), notifications in the same transaction and their e-mails after commit. A sweep
after an outage raises every threshold passed, once. Keying, attaching or rejecting a fax
clears its next alert time (`cases.services.fax.fax_status_set`), so it stops."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from cases.deadlines.alerts import NINETY, OVERDUE, alert_next_at, alert_thresholds
from cases.models import FaxEvent, FaxReceipt
from cases.services.fax import fax_event_record
from um_portal import timefmt
from um_portal.enqueue import task_send
from um_portal.roles import Role, alert_supervisors, users_with_role

from ..models import FaxAlert, Notification
from ..task_names import NOTIFICATIONS_EMAIL_SEND
from .alerts import EMAIL_CHUNK, KIND_BY_THRESHOLD

log = logging.getLogger(__name__)

# Its own advisory lock ("UMFAXSW"): a fax sweep never waits for a case sweep.
FAX_SWEEP_LOCK_KEY = 0x554D_4641_5853_57
BATCH_SIZE = 500
MAX_BATCHES = 20


@dataclass
class FaxSweepResult:
    ran: bool = True
    faxes: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    more: bool = False

    def as_dict(self) -> dict:
        return {"ran": self.ran, "faxes": self.faxes, "alerts": self.alerts, "more": self.more}


def fax_alert_message(*, threshold: str, fax: FaxReceipt) -> str:
    """No PHI: when the fax came in, the sending number, and when it must be keyed."""
    sender = f" from {fax.sender_fax}" if fax.sender_fax else ""
    head = f"Fax received {timefmt.when(fax.received_at)}{sender} is not keyed"
    due = timefmt.when(fax.due_at)
    return {
        "50": f"{head}: half of its time has passed. Due {due}.",
        "75": f"{head}: three quarters of its time has passed. Due {due}.",
        "90": f"{head}: 90 % of its time has passed (supervisor alert). Due {due}.",
        "overdue": f"{head} and is overdue. It was due {due}.",
    }[threshold]


def _notify(alerts: list[FaxAlert]) -> dict:
    if not alerts:
        return {}
    nurses = list(users_with_role(Role.NURSE))
    supervisors = alert_supervisors()  # the UM supervisors, else the administrators
    rows, counts = [], {}
    for alert in alerts:
        if alert.threshold == NINETY:
            recipients = supervisors
        elif alert.threshold == OVERDUE:
            recipients = list({u.pk: u for u in [*nurses, *supervisors]}.values())
        else:
            recipients = nurses  # nobody holds an unkeyed fax: every nurse keys
        message = fax_alert_message(threshold=alert.threshold, fax=alert.fax)
        rows += [
            Notification(user=u, kind=KIND_BY_THRESHOLD[alert.threshold], fax=alert.fax, message=message)
            for u in recipients
        ]
        counts[alert.fax_id, alert.threshold] = len(recipients)
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    ids = [n.pk for n in created if n.user.email]
    for start in range(0, len(ids), EMAIL_CHUNK):
        chunk = ids[start : start + EMAIL_CHUNK]
        transaction.on_commit(lambda chunk=chunk: task_send(NOTIFICATIONS_EMAIL_SEND, chunk))
    return counts


def _batch(*, now: datetime, batch_size: int, result: FaxSweepResult) -> int:
    with transaction.atomic():
        faxes = list(
            FaxReceipt.objects.filter(status=FaxReceipt.Status.NEW, alert_next_at__lte=now)
            .order_by("alert_next_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .only("id", "status", "received_at", "due_at", "sender_fax", "alert_next_at")[:batch_size]
        )
        if not faxes:
            return 0
        fired: dict = {}
        for fax_id, threshold in FaxAlert.objects.filter(fax__in=faxes).values_list("fax_id", "threshold"):
            fired.setdefault(fax_id, set()).add(threshold)
        new_alerts = []
        for fax in faxes:
            thresholds = alert_thresholds(received_at=fax.received_at, decision_due_at=fax.due_at)
            done = fired.setdefault(fax.pk, set())
            for name, at in thresholds:
                if at <= now and name not in done:
                    done.add(name)
                    new_alerts.append(
                        FaxAlert(fax=fax, threshold=name, due_at=at, fax_due_at=fax.due_at, raised_at=now)
                    )
            fax.alert_next_at = alert_next_at(thresholds, done)
        # No ignore_conflicts: the fax rows are locked, so a conflict means something
        # bypassed the sweep; fail rather than alert twice.
        FaxAlert.objects.bulk_create(new_alerts)
        counts = _notify(new_alerts)
        for alert in new_alerts:
            alert.notified = counts.get((alert.fax_id, alert.threshold), 0)
            fax_event_record(
                fax=alert.fax,
                kind=FaxEvent.Kind.ALERT,
                message=alert.get_threshold_display() + ".",
                data={"threshold": alert.threshold, "notified": alert.notified},
            )
            result.alerts[alert.threshold] = result.alerts.get(alert.threshold, 0) + 1
        FaxAlert.objects.bulk_update(new_alerts, ["notified"], batch_size=1000)
        FaxReceipt.objects.bulk_update(faxes, ["alert_next_at"], batch_size=1000)
        result.faxes += len(faxes)
        return len(faxes)


def fax_deadline_sweep_run(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> FaxSweepResult:
    """One sweep over unkeyed faxes whose next alert time has come."""
    now = now or timezone.now()
    result = FaxSweepResult()
    acquired = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [FAX_SWEEP_LOCK_KEY])
            acquired = cursor.fetchone()[0]
    if not acquired:
        return FaxSweepResult(ran=False)
    try:
        for _ in range(max_batches):
            if _batch(now=now, batch_size=batch_size, result=result) < batch_size:
                break
        else:
            result.more = True
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [FAX_SWEEP_LOCK_KEY])
    if result.faxes:
        log.info("Fax deadline sweep: %s", result.as_dict())
    return result
