"""Two nurses approving more days for one stay at the same moment (issue 19, item 2), on
two real connections: the stay and its open request are locked, one approval wins and the
other gets a 409, and the stay is extended once. A nurse acting on the stay while a
physician decides its request on the case page: both take the locks in one order (the
request's case, the request, the stay), so the first wins and the other gets a 409, never
a deadlock (PostgreSQL's "deadlock detected", a 500)."""

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


def test_two_nurses_approving_the_same_open_request_one_wins_the_other_409(monkeypatch, stay, nurse, nurse2):
    # Given a request for 3 more days, open on the stay (as both nurses see it)
    with time_machine.travel(REVIEWED, tick=False), transaction.atomic():
        request = stay_review_open(stay=stay_lock(stay_id=stay.pk), actor=nurse, days=3)
    version = InpatientStay.objects.get(pk=stay.pk).version

    # When both approve it at once
    results = _race(
        monkeypatch,
        ("a", _approve(nurse, stay.pk, expected_version=version)),
        ("b", _approve(nurse2, stay.pk, expected_version=version)),
    )

    # Then one wins, the other is told the request is decided, and the stay grew once
    names, conflict = _outcome(results)
    assert names == ["Conflict", "InpatientStay"], results
    assert conflict.status_code == 409  # noqa: PLR2004
    assert conflict.code == "decided", conflict
    after = InpatientStay.objects.get(pk=stay.pk)
    assert (after.authorized_days, after.open_review_id) == (stay.authorized_days + 3, None)
    assert list(StayReview.objects.filter(stay=stay).values_list("pk", "days_approved")) == [(request.pk, 3)]
    request.case.refresh_from_db()
    assert request.case.status == CaseStatus.APPROVED
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).count() == 1


def test_two_nurses_approving_more_days_without_a_request_extend_once(monkeypatch, stay, nurse, nurse2):
    # Given a stay with no open request; both nurses approve 3 more days at once
    version = stay.version
    results = _race(
        monkeypatch,
        ("a", _approve(nurse, stay.pk, expected_version=version)),
        ("b", _approve(nurse2, stay.pk, expected_version=version)),
    )

    # Then one request was opened and approved; the other click is a 409 with nothing written
    names, conflict = _outcome(results)
    assert names == ["Conflict", "InpatientStay"], results
    assert conflict.status_code == 409  # noqa: PLR2004
    assert InpatientStay.objects.get(pk=stay.pk).authorized_days == stay.authorized_days + 3
    assert StayReview.objects.filter(stay=stay).count() == 1
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).count() == 1


@pytest.fixture
def days_request(stay, nurse):
    """A request for 3 more days, open on `stay`, and the stay's version after it."""
    with time_machine.travel(REVIEWED, tick=False), transaction.atomic():
        request = stay_review_open(stay=stay_lock(stay_id=stay.pk), actor=nurse, days=3)
    return request, InpatientStay.objects.get(pk=stay.pk).version


def _nurse_and_physician(monkeypatch, *, first: str, nurse_action, physician_action):
    """Run the nurse's and the physician's action on two connections, `first` taking its
    first lock before the other starts: each holds it a moment (1 s, longer than
    PostgreSQL's deadlock_timeout) so the other really arrives in between. Returns
    {"nurse": result or exception, "physician": ...}."""
    from cases.services import stays as stay_rules

    started = threading.Event()
    original_for_action = stays._stay_for_action
    original_decided = stay_rules.stay_review_decided

    def nurse_locked(**kwargs):
        locked = original_for_action(**kwargs)
        if first == "nurse" and not started.is_set():
            started.set()
            time.sleep(1.0)
        return locked

    def physician_holds_case(**kwargs):  # called by decision_record with the request's case locked
        if first == "physician" and threading.current_thread().name == "physician" and not started.is_set():
            started.set()
            time.sleep(1.0)
        return original_decided(**kwargs)

    monkeypatch.setattr(stays, "_stay_for_action", nurse_locked)
    monkeypatch.setattr(stay_rules, "stay_review_decided", physician_holds_case)
    results = {}

    def run(name, action):
        try:
            if name != first:
                assert started.wait(timeout=20), "the first action never took its lock"
            results[name] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects which one failed
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, action), name=name)
        for name, action in (("nurse", nurse_action), ("physician", physician_action))
    ]
    with time_machine.travel(REVIEWED, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return results


@pytest.mark.parametrize("first", ["nurse", "physician"])
def test_nurse_approving_days_while_a_physician_decides_the_request_both_finish_without_deadlock(
    monkeypatch, stay, days_request, nurse, physician, first
):
    # Given a request for 3 more days, open on the stay (days_request)
    request, version = days_request

    # When the nurse approves the days on the stay while a physician approves the request
    # on its case page, one of them arriving while the other holds its first lock
    results = _nurse_and_physician(
        monkeypatch,
        first=first,
        nurse_action=_approve(nurse, stay.pk, expected_version=version),
        physician_action=lambda: case_approve(case_id=request.case_id, actor=physician),
    )

    # Then neither is a deadlock (nor any error but the project's 409): the first wins,
    # the other is told someone else decided first, and the stay grew once
    winner, loser = results[first], results["physician" if first == "nurse" else "nurse"]
    assert isinstance(loser, Conflict), results
    assert loser.status_code == 409, results  # noqa: PLR2004
    assert not isinstance(winner, Exception), results
    after = InpatientStay.objects.get(pk=stay.pk)
    assert (after.authorized_days, after.open_review_id) == (stay.authorized_days + 3, None)
    request.case.refresh_from_db()
    assert request.case.status == CaseStatus.APPROVED
    assert request.case.decisions.count() == 1
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).count() == 1


@pytest.mark.parametrize("first", ["nurse", "physician"])
def test_nurse_recording_the_discharge_while_a_physician_decides_the_request_never_deadlocks(
    monkeypatch, stay, days_request, nurse, physician, first
):
    # Given a request for 3 more days, open on the stay (days_request)
    request, version = days_request

    # When the nurse records the discharge (which withdraws the request) while a physician
    # approves the request
    results = _nurse_and_physician(
        monkeypatch,
        first=first,
        nurse_action=lambda: stays.stay_discharge_record(
            stay_id=stay.pk, actor=nurse, discharged_at=REVIEWED, disposition="home", expected_version=version
        ),
        physician_action=lambda: case_approve(case_id=request.case_id, actor=physician),
    )

    # Then the first wins and the other gets a 409, never a deadlock
    loser = results["physician" if first == "nurse" else "nurse"]
    assert isinstance(loser, Conflict) and loser.status_code == 409, results  # noqa: PLR2004
    assert not isinstance(results[first], Exception), results
    after = InpatientStay.objects.get(pk=stay.pk)
    request.case.refresh_from_db()
    if first == "nurse":
        assert (after.discharged_at, request.case.status) == (REVIEWED, CaseStatus.WITHDRAWN)
        assert after.authorized_days == stay.authorized_days
    else:
        assert (after.discharged_at, request.case.status) == (None, CaseStatus.APPROVED)
        assert after.authorized_days == stay.authorized_days + 3
