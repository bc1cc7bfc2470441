"""The deadline sweep (RULES.md section 2): raise every alert threshold a case has reached,
exactly once per case and threshold, also after the workers were down.

How it stays cheap and safe:
- It reads only open cases whose next alert time has come, on the partial index
  `case_open_alert_next_id_idx` over `(alert_next_at, id)` (the 50/75/90 % points are not a range
  of `decision_due_at`, so the next one is kept as data beside it), in bounded batches.
- Two sweeps never overlap: a PostgreSQL advisory lock guards the run, and each batch
  claims its rows with SELECT ... FOR UPDATE SKIP LOCKED.
- Each alert is a row with a unique (case, threshold) constraint, written in the same
  transaction as the notifications and the case's next alert time.

It lives in notifications (alerts and escalations, DESIGN.md) because it notifies people in
the transaction that raises the alert; it reads the review rows (alerts, pends) below it.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from cases import events
from cases.deadlines.alerts import INFORMATION_NOTICE, OVERDUE, alert_next_at, alert_thresholds
from cases.models import OPEN_STATUSES, AuthorizationRequest
from reviews.models import CaseAlert, Pend

from .alerts import alert_notifications_create

log = logging.getLogger(__name__)

# Any fixed 64-bit key shared by every sweeper; it names the "deadline sweep" lock.
SWEEP_LOCK_KEY = 0x554D_5357_4545_50  # "UMSWEEP"
BATCH_SIZE = 500
MAX_BATCHES = 20  # 10,000 cases a run; a full last batch asks for another run at once.


@dataclass
class SweepResult:
    ran: bool = True
    cases: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    more: bool = False

    def as_dict(self) -> dict:
        return {"ran": self.ran, "cases": self.cases, "alerts": self.alerts, "batches": self.batches, "more": self.more}


@contextmanager
def sweep_guard() -> Iterator[bool]:
    """True when this process may sweep (nobody else is): a session advisory lock on
    PostgreSQL; elsewhere (SQLite on a laptop, one process) always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])


def due_cases_queryset(*, now: datetime):
    """Open cases whose next alert threshold has come, earliest first (index range scan)."""
    return AuthorizationRequest.objects.filter(status__in=OPEN_STATUSES, alert_next_at__lte=now).order_by(
        "alert_next_at", "id"
    )


def _sweep_batch(*, now: datetime, batch_size: int, result: SweepResult) -> int:
    with transaction.atomic():
        cases = list(
            due_cases_queryset(now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .only(
                "id",
                "reference",
                "status",
                "received_at",
                "decision_due_at",
                "information_notice_due_at",
                "assigned_to_id",
                "alert_next_at",
                "overdue_at",
            )[:batch_size]
        )
        if not cases:
            return 0
        ids = [c.pk for c in cases]
        fired: dict = {}
        for case_id, threshold in CaseAlert.objects.filter(case_id__in=ids).values_list("case_id", "threshold"):
            fired.setdefault(case_id, set()).add(threshold)
        pended = set(Pend.objects.filter(case_id__in=ids).values_list("case_id", flat=True).distinct())

        new_alerts: list[CaseAlert] = []
        for case in cases:
            thresholds = alert_thresholds(
                received_at=case.received_at,
                decision_due_at=case.decision_due_at,
                information_notice_due_at=case.information_notice_due_at,
            )
            done = fired.setdefault(case.pk, set())
            for name, at in thresholds:
                if at <= now and name not in done:
                    done.add(name)
                    new_alerts.append(
                        CaseAlert(
                            case=case, threshold=name, due_at=at, decision_due_at=case.decision_due_at, raised_at=now
                        )
                    )
                    if name == OVERDUE:
                        case.overdue_at = case.decision_due_at
            case.alert_next_at = alert_next_at(thresholds, done)

        # No ignore_conflicts: the case rows are locked, so a conflict means something
        # bypassed the sweep; let the transaction fail rather than alert twice.
        CaseAlert.objects.bulk_create(new_alerts)
        # Maryland's reminder is moot once the provider was asked for information.
        to_notify = [a for a in new_alerts if not (a.threshold == INFORMATION_NOTICE and a.case_id in pended)]
        counts = alert_notifications_create(alerts=to_notify)
        for alert in to_notify:
            alert.notified = counts.get(alert.pk, 0)
        CaseAlert.objects.bulk_update(to_notify, ["notified"], batch_size=1000)
        for alert in new_alerts:
            events.event_alert_raised(
                case=alert.case, threshold=alert.threshold, message=alert.get_threshold_display() + "."
            )
            result.alerts[alert.threshold] = result.alerts.get(alert.threshold, 0) + 1
        AuthorizationRequest.objects.bulk_update(cases, ["alert_next_at", "overdue_at"], batch_size=1000)
        result.cases += len(cases)
        return len(cases)


def deadline_sweep_run(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> SweepResult:
    """One sweep. `now` is for tests and catch-up checks; the beat task passes nothing."""
    now = now or timezone.now()
    result = SweepResult()
    with sweep_guard() as acquired:
        if not acquired:
            log.info("Deadline sweep skipped: another sweep is running.")
            return SweepResult(ran=False)
        for _ in range(max_batches):
            claimed = _sweep_batch(now=now, batch_size=batch_size, result=result)
            result.batches += 1
            if claimed < batch_size:
                break
        else:
            result.more = True
    if result.cases:
        log.info("Deadline sweep: %s", result.as_dict())
    return result
