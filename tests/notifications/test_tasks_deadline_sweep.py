"""The deadline sweep as production runs it: the real Celery task through a real worker
on Redis, against PostgreSQL (committed data: transactional database)."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.tasks import deadline_sweep
from reviews.models import CaseAlert
from tests.factories import CoverageFactory, MemberFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 6, 10, 9, 0, tzinfo=NY)
TIMEOUT = 60


def sweep(now: datetime) -> dict:
    return deadline_sweep.apply_async(kwargs={"now": now.isoformat()}, ignore_result=False).get(timeout=TIMEOUT)


@pytest.fixture
def cases(make_case, nurse, admin_user):
    member = MemberFactory(state="VA")
    CoverageFactory(member=member, state="VA")
    return [
        make_case(member=member, received_at=T0, urgency="expedited", start_date=date(2026, 6, 12)) for _ in range(3)
    ]


def alert_counts() -> dict:
    counts: dict = {}
    for threshold in CaseAlert.objects.values_list("threshold", flat=True):
        counts[threshold] = counts.get(threshold, 0) + 1
    return counts


def test_outage_catch_up_fires_every_threshold_once(celery_worker, cases):
    # Given a sweep at 40 % of the time: nothing due yet.
    assert sweep(T0 + timedelta(hours=28.8))["cases"] == 0
    # When the sweep runs at half time, then the workers are down for two days...
    assert sweep(T0 + timedelta(hours=36))["alerts"] == {"50": 3}
    # ...and the first sweep after the outage runs long past the due time.
    result = sweep(T0 + timedelta(hours=36 + 48))

    # Then every threshold passed fires once, none twice.
    assert result["alerts"] == {"75": 3, "90": 3, "overdue": 3}
    assert alert_counts() == {"50": 3, "75": 3, "90": 3, "overdue": 3}
    for case in cases:
        case.refresh_from_db()
        assert case.overdue_at == case.decision_due_at
        assert case.alert_next_at is None


def test_running_the_task_twice_changes_nothing_the_second_time(celery_worker, cases):
    first = sweep(T0 + timedelta(hours=100))
    second = sweep(T0 + timedelta(hours=100))

    assert first["alerts"] == {"50": 3, "75": 3, "90": 3, "overdue": 3}
    assert second == {"ran": True, "cases": 0, "alerts": {}, "batches": 1, "more": False}
    # 3 cases x (50, 75 to the nurse; 90 to the admin; overdue to both).
    assert Notification.objects.count() == 3 * 5


def test_alert_emails_go_out_through_the_worker(celery_worker, cases, nurse):
    sweep(T0 + timedelta(hours=36))

    # The sweep enqueued the e-mails after its commit; the worker sends them next.
    deadline = time.monotonic() + TIMEOUT
    while len(mail.outbox) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # and nothing more arrives
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [nurse.email] * 3
