"""Dashboard rollups: hand-counted boundaries, a randomized history recounted from the raw
cases, and the incremental refresh (idempotent, catches up from the event log)."""

import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Sum

from cases import events
from cases.models import AuthorizationRequest, Urgency
from reviews.models import Appeal, CaseDayRollup, CaseMonthRollup, Decision, Pend, ReviewerDayRollup
from reviews.reporting.rollups import local_day, rollup_days_rebuild, rollup_rebuild_all, rollup_refresh
from tests.factories import CoverageFactory, MemberFactory

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _case(make_case, *, received, due, urgency="standard", lob="commercial", state="MD"):
    member = MemberFactory(state=state)
    CoverageFactory(member=member, line_of_business=lob, state=state)
    case = make_case(
        member=member,
        urgency=urgency,
        expedited_reason="Synthetic: delay would harm." if urgency == "expedited" else "",
        received_at=received,
    )
    # Test setup: a controlled due time; the clock engine is tested elsewhere.
    AuthorizationRequest.objects.filter(pk=case.pk).update(decision_due_at=due)
    case.refresh_from_db()
    return case


def _decide(case, user, at, outcome="approved"):
    # Test setup: write the decision row directly; the decision services are tested elsewhere.
    return Decision.objects.create(case=case, outcome=outcome, decided_by=user, decided_at=at, is_current=False)


def _day(day_rows, field):
    return sum(getattr(r, field) for r in day_rows)


@pytest.mark.django_db
def test_boundaries_are_counted_by_hand(make_case, nurse):
    due = datetime(2026, 3, 9, 17, 0, tzinfo=NY)
    on_time = _case(make_case, received=datetime(2026, 3, 7, 10, 0, tzinfo=NY), due=due)
    _decide(on_time, nurse, due)  # exactly at the due time: on time
    late = _case(make_case, received=datetime(2026, 3, 7, 11, 0, tzinfo=NY), due=due)
    _decide(late, nurse, due + timedelta(seconds=1), outcome="denied")  # one second late
    # Received and decided on the spring-forward day (23 hours long): 21 real hours.
    dst = _case(
        make_case,
        received=datetime(2026, 3, 8, 1, 30, tzinfo=NY),
        due=datetime(2026, 3, 10, tzinfo=NY),
        urgency="expedited",
    )
    _decide(dst, nurse, datetime(2026, 3, 8, 23, 30, tzinfo=NY))
    # A pend asked on January 31 and answered on February 1 (14 hours).
    pended = _case(make_case, received=datetime(2026, 1, 30, 9, 0, tzinfo=NY), due=due)
    Pend.objects.create(
        case=pended,
        requested_information="Synthetic: notes",
        respond_by=datetime(2026, 2, 5).date(),
        requested_by=nurse,
        requested_at=datetime(2026, 1, 31, 20, 0, tzinfo=NY),
        responded_at=datetime(2026, 2, 1, 10, 0, tzinfo=NY),
    )
    # Decided in December 2025, appeal decided in January 2026: the appeal counts in 2026.
    appealed = _case(make_case, received=datetime(2025, 12, 20, 9, 0, tzinfo=NY), due=due)
    denial = _decide(appealed, nurse, datetime(2025, 12, 22, 9, 0, tzinfo=NY), outcome="denied")
    Appeal.objects.create(
        case=appealed,
        decision_appealed=denial,
        reason="Synthetic",
        filed_by=nurse,
        filed_at=datetime(2025, 12, 23, tzinfo=NY),
        due_at=datetime(2026, 1, 22, tzinfo=NY),
        status="decided",
        outcome="overturned",
        decided_at=datetime(2026, 1, 5, 9, 0, tzinfo=NY),
    )

    rollup_rebuild_all()

    mar9 = CaseDayRollup.objects.filter(day="2026-03-09")
    assert (_day(mar9, "decided"), _day(mar9, "decided_on_time"), _day(mar9, "denied")) == (2, 1, 1)
    mar8 = CaseDayRollup.objects.get(day="2026-03-08", urgency="expedited")
    assert (mar8.received, mar8.decided, mar8.decision_seconds_human) == (1, 1, 21 * 3600)
    assert CaseDayRollup.objects.filter(day="2026-03-07").aggregate(n=Sum("received"))["n"] == 2
    jan = CaseMonthRollup.objects.filter(month="2026-01-01").aggregate(
        pends=Sum("pends_opened"), answered=Sum("pends_answered"), appeals=Sum("appeals_decided"),
        overturned=Sum("appeals_overturned"),
    )  # fmt: skip
    assert jan == {"pends": 1, "answered": 0, "appeals": 1, "overturned": 1}
    feb = CaseMonthRollup.objects.filter(month="2026-02-01").aggregate(a=Sum("pends_answered"), s=Sum("pend_seconds"))
    assert feb == {"a": 1, "s": 14 * 3600}
    dec = CaseMonthRollup.objects.filter(month="2025-12-01").aggregate(d=Sum("decided"), a=Sum("appeals_decided"))
    assert dec == {"d": 1, "a": 0}
    assert ReviewerDayRollup.objects.get(day="2026-03-09").decided == 2


@pytest.mark.django_db
def test_a_revision_or_appeal_decision_is_not_a_second_initial_decision(make_case, nurse, physician):
    case = _case(make_case, received=datetime(2026, 4, 1, 9, tzinfo=NY), due=datetime(2026, 4, 15, tzinfo=NY))
    _decide(case, nurse, datetime(2026, 4, 2, 9, tzinfo=NY), outcome="denied")
    _decide(case, physician, datetime(2026, 4, 20, 9, tzinfo=NY), outcome="approved")  # a later revision

    rollup_days_rebuild(days=[datetime(2026, 4, 2).date(), datetime(2026, 4, 20).date()])

    april = CaseMonthRollup.objects.filter(month="2026-04-01").aggregate(d=Sum("decided"), den=Sum("denied"))
    assert april == {"d": 1, "den": 1}
    # Workload still counts both people's decisions.
    assert ReviewerDayRollup.objects.filter(day="2026-04-20", reviewer=physician).get().decided == 1


@pytest.mark.django_db
def test_rollups_match_a_direct_recount_of_a_random_history(make_case, nurse, physician):
    rng = random.Random(20261130)  # fixed seed: the same history every run
    start = datetime(2026, 1, 1, tzinfo=NY)
    cases = []
    for _ in range(45):
        received = start + timedelta(minutes=rng.randrange(0, 120 * 24 * 60))
        due = received + timedelta(hours=rng.choice([24, 72, 168, 336]))
        case = _case(
            make_case,
            received=received,
            due=due,
            urgency=rng.choice(["standard", "expedited"]),
            lob=rng.choice(["commercial", "medicaid", "medicare_advantage"]),
            state=rng.choice(["MD", "VA"]),
        )
        cases.append(case)
        if rng.random() < 0.3:
            asked = received + timedelta(hours=rng.randrange(1, 48))
            Pend.objects.create(
                case=case,
                requested_information="Synthetic",
                respond_by=asked.date(),
                requested_by=nurse,
                requested_at=asked,
                responded_at=asked + timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.7 else None,
            )
        if rng.random() < 0.8:
            decided = received + timedelta(hours=rng.randrange(0, 400))
            first = _decide(case, rng.choice([nurse, physician]), decided, rng.choice(["approved", "denied"]))
            if rng.random() < 0.3:
                _decide(case, physician, decided + timedelta(days=3), "approved")
            if first.outcome == "denied" and rng.random() < 0.5:
                Appeal.objects.create(
                    case=case,
                    decision_appealed=first,
                    reason="Synthetic",
                    filed_by=nurse,
                    filed_at=decided,
                    due_at=decided + timedelta(days=30),
                    status="decided",
                    outcome=rng.choice(["upheld", "overturned"]),
                    decided_at=decided + timedelta(days=rng.randrange(1, 40)),
                )

    rollup_rebuild_all()

    # Recount straight from the raw rows, per month, line of business and urgency.
    expected = Counter()
    for case in AuthorizationRequest.objects.select_related("coverage"):
        key = (case.coverage.line_of_business, case.urgency)
        expected[(local_day(case.received_at).replace(day=1), *key, "received")] += 1
        decisions = sorted(case.decisions.all(), key=lambda d: d.decided_at)
        if decisions:
            first = decisions[0]
            month = local_day(first.decided_at).replace(day=1)
            expected[(month, *key, "decided")] += 1
            expected[(month, *key, first.outcome)] += 1
            expected[(month, *key, "decided_on_time")] += first.decided_at <= case.decision_due_at
        for pend in case.pends.all():
            expected[(local_day(pend.requested_at).replace(day=1), *key, "pends_opened")] += 1
        for appeal in case.appeals.exclude(decided_at=None):
            month = local_day(appeal.decided_at).replace(day=1)
            expected[(month, *key, "appeals_decided")] += 1
            expected[(month, *key, "appeals_overturned")] += appeal.outcome == "overturned"
    actual = Counter()
    fields = ["received", "decided", "approved", "denied", "decided_on_time", "pends_opened", "appeals_decided",
              "appeals_overturned"]  # fmt: skip
    for row in CaseMonthRollup.objects.all():
        for field in fields:
            actual[(row.month, row.line_of_business, row.urgency, field)] += getattr(row, field)
    assert +actual == +expected
    # The daily table sums to the monthly one.
    daily = CaseDayRollup.objects.aggregate(**{f: Sum(f) for f in fields})
    monthly = CaseMonthRollup.objects.aggregate(**{f: Sum(f) for f in fields})
    assert daily == monthly
    assert daily["received"] == len(cases)


@pytest.mark.django_db
def test_refresh_rebuilds_only_days_touched_since_the_watermark_and_is_idempotent(make_case, nurse):
    case = _case(make_case, received=datetime(2026, 6, 1, 9, tzinfo=NY), due=datetime(2026, 6, 5, tzinfo=NY))
    assert rollup_refresh() >= 1
    assert rollup_refresh() == 0  # nothing new: nothing rebuilt
    before = list(CaseDayRollup.objects.values_list("day", "received", "decided"))

    _decide(case, nurse, datetime(2026, 6, 3, 9, tzinfo=NY))
    events.event_note_added(case=case, actor=nurse, text="Synthetic note after the decision.")
    assert rollup_refresh() == 2  # the day received and the day decided
    assert CaseDayRollup.objects.get(day="2026-06-03").decided == 1
    assert CaseDayRollup.objects.get(day="2026-06-01").received == 1
    assert rollup_refresh() == 0
    assert list(CaseDayRollup.objects.filter(day="2026-06-01").values_list("day", "received", "decided")) == [
        row for row in before if str(row[0]) == "2026-06-01"
    ]


@pytest.mark.django_db
def test_rebuilding_a_day_twice_changes_nothing(make_case, nurse):
    case = _case(make_case, received=datetime(2026, 7, 1, 9, tzinfo=NY), due=datetime(2026, 7, 3, tzinfo=NY))
    _decide(case, nurse, datetime(2026, 7, 1, 15, tzinfo=NY))
    day = datetime(2026, 7, 1).date()
    rollup_days_rebuild(days=[day])
    first = list(CaseDayRollup.objects.values("day", "received", "decided", "decision_hist_human"))
    rollup_days_rebuild(days=[day])
    assert list(CaseDayRollup.objects.values("day", "received", "decided", "decision_hist_human")) == first
    assert CaseMonthRollup.objects.filter(month="2026-07-01").count() == 1
    assert Urgency.STANDARD == CaseDayRollup.objects.get().urgency
