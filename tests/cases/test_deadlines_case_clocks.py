"""The clock engine on real cases: intake sets the clocks, pends restart the state rules,
urgency changes recompute from receipt, notice deadlines."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.deadlines.clocks import case_clocks_compute, case_notice_deadlines, case_notice_due_compute
from cases.models import CaseEvent
from reviews.models import Pend
from reviews.services.clocks import case_clocks_refresh, case_urgency_set
from tests.factories import CoverageFactory, MemberFactory
from um_portal.exceptions import Conflict

NY = ZoneInfo("America/New_York")


def local(dt) -> str:
    return dt.astimezone(NY).strftime("%Y-%m-%d %H:%M:%S")


def member_in(state: str, lob: str = "commercial"):
    member = MemberFactory(state=state)
    CoverageFactory(member=member, state=state, line_of_business=lob)
    return member


def received(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def test_intake_stores_earliest_due_and_breakdown_for_a_maryland_case(make_case):
    case = make_case(member=member_in("MD"), received_at=received("2026-12-04 16:00"), start_date=date(2026, 12, 20))

    assert local(case.decision_due_at) == "2026-12-08 23:59:59"
    assert [(c["rule"], local(datetime.fromisoformat(c["due_at"])), c["started_by"]) for c in case.clocks] == [
        ("md_insurance", "2026-12-08 23:59:59", "received"),
        ("ncqa", "2026-12-19 23:59:59", "received"),
    ]
    assert case.clocks[0]["allowed"] == "2 business days"
    assert local(case.information_notice_due_at) == "2026-12-07 23:59:59"
    assert case.notice_due_at == case.decision_due_at
    # The first alert: half of the allowed time.
    assert case.alert_next_at == case.received_at + (case.decision_due_at - case.received_at) / 2


def test_md_behavioral_health_emergency_admission_is_due_in_two_hours(make_case):
    case = make_case(
        member=member_in("MD"),
        received_at=received("2026-12-31 23:00"),
        urgency="expedited",
        service_category="inpatient_admission",
        diagnosis_codes=["F32.A"],
        start_date=date(2027, 1, 1),
    )

    assert local(case.decision_due_at) == "2027-01-01 01:00:00"
    assert case.clocks[0]["rule"] == "md_insurance"


def test_virginia_commercial_case_has_only_the_ncqa_clock(make_case):
    case = make_case(member=member_in("VA"), received_at=received("2026-11-02 10:00"), start_date=date(2026, 12, 1))

    assert [c["rule"] for c in case.clocks] == ["ncqa"]
    assert case.information_notice_due_at is None


def test_answered_pend_restarts_the_california_clock_and_earliest_still_wins(make_case, nurse, provider):
    case = make_case(member=member_in("CA"), received_at=received("2026-06-08 10:00"), start_date=date(2026, 7, 1))
    assert local(case.decision_due_at) == "2026-06-15 23:59:59"
    Pend.objects.create(
        case=case,
        requested_information="Imaging report",
        respond_by=date(2026, 6, 20),
        requested_by=nurse,
        requested_at=received("2026-06-09 09:00"),
        response_text="Attached",
        responded_by=provider,
        responded_at=received("2026-06-17 14:00"),
    )

    case = case_clocks_refresh(case_id=case.pk, reason="Information received.")

    by_rule = {c["rule"]: c for c in case.clocks}
    assert by_rule["ca_knox_keene"]["started_by"] == "information_received"
    assert local(datetime.fromisoformat(by_rule["ca_knox_keene"]["due_at"])) == "2026-06-25 23:59:59"
    assert by_rule["ncqa"]["started_by"] == "received"
    assert local(case.decision_due_at) == "2026-06-23 23:59:59"
    event = case.events.get(kind=CaseEvent.Kind.CLOCK_SET, message="Information received.")
    assert event.new_value == case.decision_due_at.isoformat()
    # Recomputing without the argument keeps the restart (it reads the answered pend).
    assert local(case_clocks_compute(case=case)[0]) == "2026-06-23 23:59:59"


def test_urgency_change_recomputes_from_receipt(make_case, nurse):
    case = make_case(member=member_in("VA"), received_at=received("2026-03-07 12:00"), start_date=date(2026, 4, 1))
    assert local(case.decision_due_at) == "2026-03-22 23:59:59"

    case = case_urgency_set(case_id=case.pk, actor=nurse, urgency="expedited", reason="Surgery moved up.")

    assert case.urgency == "expedited"
    assert local(case.decision_due_at) == "2026-03-10 13:00:00"
    event = case.events.filter(kind=CaseEvent.Kind.CLOCK_SET).latest("pk")
    assert "standard to expedited" in event.message
    assert event.actor == nurse


def test_urgency_change_on_a_decided_case_is_refused(make_case, nurse):
    case = make_case(member=member_in("VA"))
    type(case).objects.filter(pk=case.pk).update(status="approved")

    with pytest.raises(Conflict):
        case_urgency_set(case_id=case.pk, actor=nurse, urgency="expedited", reason="Too late.")
    case.refresh_from_db()
    assert case.urgency == "standard"


def test_california_notices_are_due_24_hours_and_2_business_days_after_the_decision(make_case):
    case = make_case(member=member_in("CA"), received_at=received("2026-11-23 10:00"), start_date=date(2026, 12, 10))

    deadlines = case_notice_deadlines(case=case, decided_at=received("2026-11-25 15:00"))

    assert [(d["recipient"], local(d["due_at"])) for d in deadlines] == [
        ("requesting_provider", "2026-11-26 15:00:00"),
        ("member", "2026-11-30 23:59:59"),  # Thanksgiving is not a business day.
    ]
    assert local(case_notice_due_compute(case=case, decided_at=received("2026-11-25 15:00"))) == "2026-11-26 15:00:00"


def test_notice_is_due_with_the_decision_deadline_elsewhere(make_case):
    case = make_case(member=member_in("VA"), received_at=received("2026-11-02 10:00"), start_date=date(2026, 12, 1))

    assert case_notice_due_compute(case=case, decided_at=received("2026-11-05 10:00")) == case.decision_due_at


def test_decision_sets_the_california_notice_due_time(make_case, nurse):
    from django.utils import timezone

    from reviews.services.decisions import case_approve

    case = make_case(member=member_in("CA"), start_date=timezone.localdate() + timedelta(days=20))

    case_approve(case_id=case.pk, actor=nurse)

    case.refresh_from_db()
    # The requesting provider is told within 24 hours of the decision.
    assert case.notice_due_at == case.decided_at + timedelta(hours=24)


def test_decision_elsewhere_keeps_the_notice_due_with_the_decision_deadline(make_case, nurse):
    from django.utils import timezone

    from reviews.services.decisions import case_approve

    case = make_case(member=member_in("VA"), start_date=timezone.localdate() + timedelta(days=20))

    case_approve(case_id=case.pk, actor=nurse)

    case.refresh_from_db()
    assert case.notice_due_at == case.decision_due_at


# The provider answers (now) the day after receipt: at any other time the answer could come
# before the receipt, or after a Maryland clock restarted from it had ended.
@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=NY))
def test_answering_a_pend_restarts_maryland_and_moves_notice_and_next_alert(make_case, nurse, provider):
    from reviews.services.provider_requests import pend_answer

    case = make_case(member=member_in("MD"), received_at=received("2026-11-23 09:00"), start_date=date(2026, 12, 20))
    assert local(case.decision_due_at) == "2026-11-25 23:59:59"
    Pend.objects.create(
        case=case,
        requested_information="Operative plan",
        respond_by=date(2026, 11, 30),
        requested_by=nurse,
        requested_at=received("2026-11-23 15:00"),
    )

    pend_answer(case=case, user=provider, text="Attached the plan.")

    case.refresh_from_db()
    assert case.clocks[0]["rule"] == "md_insurance"
    assert case.clocks[0]["started_by"] == "information_received"
    # 2 business days from the answer: Thanksgiving (26 November) is not one.
    assert local(case.decision_due_at) == "2026-11-27 23:59:59"
    assert case.notice_due_at == case.decision_due_at
    # Next alert: the earlier of Maryland's information-notice reminder and half time.
    half = case.received_at + (case.decision_due_at - case.received_at) / 2
    assert case.alert_next_at == min(half, case.information_notice_due_at - timedelta(days=1))
