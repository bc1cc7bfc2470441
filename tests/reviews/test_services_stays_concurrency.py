"""Two nurses approving more days for one stay at the same moment (issue 19, item 2), on
two real connections: the stay and its open request are locked, one approval wins and the
other gets a 409, whether or not the caller sent the stay's version, and the stay is
extended once."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus, InpatientStay, StayReview
from cases.services.stays import stay_lock, stay_review_open
from reviews.services import stays
from reviews.services.decisions import case_approve
from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory
from um_portal.exceptions import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NY = ZoneInfo("America/New_York")
ADMITTED = datetime(2026, 3, 4, 10, 0, tzinfo=NY)  # a Wednesday
REVIEWED = datetime(2026, 3, 5, 9, 0, tzinfo=NY)


@pytest.fixture
def stay(make_case, nurse):
    """An inpatient admission for 2 days, approved: its stay is due for review."""
    member = MemberFactory()
    CoverageFactory(member=member)
    with time_machine.travel(ADMITTED, tick=False):
        today = timezone.localdate()
        case = make_case(
            member=member,
            service_category="inpatient_admission",
            servicing_organization=OrganizationFactory(kind="hospital"),
            urgency="expedited",
            expedited_reason="Admitted through the emergency department.",
            diagnosis_codes=["I50.9"],
            lines=[{"code_system": "CPT", "code": "99223", "units": 2, "start_date": today,
                    "end_date": today + timedelta(days=1)}],
        )  # fmt: skip
        case_approve(case_id=case.pk, actor=nurse)
    return InpatientStay.objects.get(case=case)


def _race(monkeypatch, *actions):
    # Hold the stay lock a moment once taken, so the other click really arrives (and reads
    # the stay) while the first is still deciding.
    original = stays._stay_for_action

    def slow(**kwargs):
        locked = original(**kwargs)
        time.sleep(0.3)
        return locked

    monkeypatch.setattr(stays, "_stay_for_action", slow)
    barrier = threading.Barrier(len(actions))
    results = {}

    def run(name, action):
        try:
            barrier.wait()
            results[name] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects which one failed
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name, action)) for name, action in actions]
    with time_machine.travel(REVIEWED, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return results


def _approve(user, stay_id, **extra):
    return lambda: stays.stay_days_approve(stay_id=stay_id, actor=user, days=3, **extra)


def _outcome(results) -> tuple[list[str], Conflict]:
    names = sorted(type(r).__name__ for r in results.values())
    conflict = next(r for r in results.values() if isinstance(r, Conflict))
    return names, conflict


@pytest.mark.parametrize("send_version", [False, True])
def test_two_nurses_approving_the_same_open_request_one_wins_the_other_409(
    monkeypatch, stay, nurse, nurse2, send_version
):
    # Given a request for 3 more days, open on the stay (as both nurses see it)
    with time_machine.travel(REVIEWED, tick=False), transaction.atomic():
        request = stay_review_open(stay=stay_lock(stay_id=stay.pk), actor=nurse, days=3)
    version = InpatientStay.objects.get(pk=stay.pk).version
    extra = {"expected_version": version} if send_version else {}

    # When both approve it at once
    results = _race(monkeypatch, ("a", _approve(nurse, stay.pk, **extra)), ("b", _approve(nurse2, stay.pk, **extra)))

    # Then one wins, the other is told the request is decided, and the stay grew once
    names, conflict = _outcome(results)
    assert names == ["Conflict", "InpatientStay"], results
    assert conflict.status_code == 409  # noqa: PLR2004
    assert conflict.code == ("stale" if send_version else "decided"), conflict
    after = InpatientStay.objects.get(pk=stay.pk)
    assert (after.authorized_days, after.open_review_id) == (stay.authorized_days + 3, None)
    assert list(StayReview.objects.filter(stay=stay).values_list("pk", "days_approved")) == [(request.pk, 3)]
    request.case.refresh_from_db()
    assert request.case.status == CaseStatus.APPROVED
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).count() == 1


def test_two_nurses_approving_more_days_without_a_request_or_version_extend_once(monkeypatch, stay, nurse, nurse2):
    # Given a stay with no open request; both nurses approve 3 more days at once, no version
    results = _race(monkeypatch, ("a", _approve(nurse, stay.pk)), ("b", _approve(nurse2, stay.pk)))

    # Then one request was opened and approved; the other click is a 409 with nothing written
    names, conflict = _outcome(results)
    assert names == ["Conflict", "InpatientStay"], results
    assert conflict.status_code == 409  # noqa: PLR2004
    assert InpatientStay.objects.get(pk=stay.pk).authorized_days == stay.authorized_days + 3
    assert StayReview.objects.filter(stay=stay).count() == 1
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).count() == 1
