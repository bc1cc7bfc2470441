"""Inpatient stays and concurrent review (issue 19, item 2), on the real database: day
arithmetic across midnight and DST, next review dates off weekends and holidays, the
concurrent clocks (earliest wins), the physician-only rule, bad input and 409s."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.deadlines.models import PlanClosure
from cases.models import AuthorizationRequest, CaseEvent, CaseStatus, InpatientStay, StayReview
from cases.services.stays import (
    authorized_through_for,
    length_of_stay_days,
    review_day_adjust,
    stay_open_for_case,
)
from reviews.services.decisions import case_approve, case_deny, case_partially_approve
from reviews.services.stays import stay_days_approve, stay_discharge_record, stay_note_add, stay_route_to_physician
from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory
from um_portal.exceptions import Conflict, NotFound, ValidationFailed

from .helpers import PASSWORD, knee_criteria

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def hospital(db):
    return OrganizationFactory(name="Harbor Test Hospital", kind="hospital")


@pytest.fixture
def admit(make_case, nurse, hospital):
    """An inpatient admission received now for `days` days from today, approved by a nurse."""

    def _admit(days=3, *, line_of_business="commercial", dx="I50.9", start=None):
        member = MemberFactory()
        CoverageFactory(member=member, line_of_business=line_of_business)
        from django.utils import timezone

        start = start or timezone.localdate()
        case = make_case(
            member=member,
            service_category="inpatient_admission",
            servicing_organization=hospital,
            urgency="expedited",
            expedited_reason="Admitted through the emergency department.",
            diagnosis_codes=[dx],
            lines=[
                {
                    "code_system": "CPT",
                    "code": "99223",
                    "units": days,
                    "start_date": start,
                    "end_date": start + timedelta(days=days - 1),
                }
            ],
        )
        case_approve(case_id=case.pk, actor=nurse)
        return InpatientStay.objects.get(case=case)

    return _admit


def snapshot(stay) -> dict:
    row = InpatientStay.objects.get(pk=stay.pk)
    return {
        "stay": (
            row.authorized_days,
            row.authorized_through,
            row.next_review_on,
            row.discharged_at,
            row.discharge_planning_notes,
            row.open_review_id,
            row.version,
        ),
        "reviews": StayReview.objects.count(),
        "cases": AuthorizationRequest.objects.count(),
        "events": CaseEvent.objects.count(),
    }


# Day arithmetic ---------------------------------------------------------------------------


def test_length_of_stay_counts_local_midnights_not_hours_across_spring_forward():
    admitted = at(2026, 3, 7, 23, 30)  # Saturday, EST; clocks jump at 02:00 on the 8th
    assert length_of_stay_days(admitted_at=admitted, at=at(2026, 3, 7, 23, 59)) == 0
    assert length_of_stay_days(admitted_at=admitted, at=at(2026, 3, 8, 0, 1)) == 1
    # 2026-03-09 00:30 EDT is only 24 hours after admission, yet two midnights have passed.
    later = at(2026, 3, 9, 0, 30)
    assert later.astimezone(UTC) - admitted.astimezone(UTC) == timedelta(hours=24)
    assert length_of_stay_days(admitted_at=admitted, at=later) == 2


def test_a_25_hour_day_in_fall_back_is_one_inpatient_day():
    admitted = at(2026, 11, 1, 0, 30)  # EDT; 01:00-02:00 happens twice that night
    end_of_day = at(2026, 11, 1, 23, 59)
    assert end_of_day.astimezone(UTC) - admitted.astimezone(UTC) == timedelta(hours=24, minutes=29)
    assert length_of_stay_days(admitted_at=admitted, at=end_of_day) == 0
    assert authorized_through_for(admitted_at=admitted, days=1) == date(2026, 11, 1)
    assert authorized_through_for(admitted_at=admitted, days=3) == date(2026, 11, 3)


def test_admission_late_in_the_evening_counts_its_local_day_not_the_utc_one():
    admitted = at(2026, 12, 31, 23, 30)  # 04:30 UTC on 1 January
    assert authorized_through_for(admitted_at=admitted, days=2) == date(2027, 1, 1)


def test_approved_admission_opens_the_stay_with_days_through_date_review_and_expected_los(admit):
    with time_machine.travel(at(2026, 3, 4, 23, 50), tick=False):  # Wednesday, late evening
        stay = admit(days=3, dx="I50.9")
    assert stay.admitted_at == at(2026, 3, 4, 23, 50)
    assert stay.authorized_days == 3
    assert stay.authorized_through == date(2026, 3, 6)  # Wed, Thu, Fri
    assert stay.next_review_on == date(2026, 3, 6)
    assert stay.los_norm.code == "291" and stay.los_norm.geometric_mean_days == Decimal("3.9")
    event = CaseEvent.objects.get(case=stay.case, kind=CaseEvent.Kind.STAY_OPENED)
    assert "through 2026-03-06" in event.message


def test_last_authorized_day_on_sunday_is_reviewed_on_the_friday_before(admit):
    with time_machine.travel(at(2026, 3, 6, 9, 0), tick=False):  # Friday
        stay = admit(days=3)  # Fri, Sat, Sun
    assert stay.authorized_through == date(2026, 3, 8)
    assert stay.next_review_on == date(2026, 3, 6)


def test_review_day_adjust_skips_weekends_observed_holidays_and_closures():
    # 2026-07-04 is a Saturday: observed Friday 3 July, so the review moves to Thursday.
    assert review_day_adjust(date(2026, 7, 4), today=date(2026, 6, 29)) == date(2026, 7, 2)
    # Thanksgiving (Thursday 26 November 2026) moves to the Wednesday.
    assert review_day_adjust(date(2026, 11, 26), today=date(2026, 11, 20)) == date(2026, 11, 25)
    # A business day stays.
    assert review_day_adjust(date(2026, 11, 24), today=date(2026, 11, 20)) == date(2026, 11, 24)
    # Never before today: on a Saturday, a Sunday review goes to Monday.
    assert review_day_adjust(date(2026, 3, 8), today=date(2026, 3, 7)) == date(2026, 3, 9)
    # Days that ran out before today (a late admission notice): review today.
    assert review_day_adjust(date(2026, 3, 2), today=date(2026, 3, 5)) == date(2026, 3, 5)
    assert review_day_adjust(date(2026, 3, 2), today=date(2026, 3, 7)) == date(2026, 3, 9)


def test_plan_closure_moves_the_review_day(db):
    PlanClosure.objects.create(date=date(2026, 12, 24), name="Plan closed for the holiday")
    assert review_day_adjust(date(2026, 12, 24), today=date(2026, 12, 21)) == date(2026, 12, 23)


# Approving more days ----------------------------------------------------------------------


def test_nurse_approves_more_days_through_a_concurrent_case_of_its_own(admit, nurse):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)  # Wed, Thu
    with time_machine.travel(at(2026, 3, 5, 9, 0), tick=False):
        stay = stay_days_approve(
            stay_id=stay.pk, actor=nurse, days=4, next_review_on="2026-03-07", expected_version=stay.version
        )
    # Saturday 7 March moves to Friday 6 March; 2 + 4 days run through Monday 9 March.
    assert (stay.authorized_days, stay.authorized_through, stay.next_review_on) == (
        6,
        date(2026, 3, 9),
        date(2026, 3, 6),
    )
    review = StayReview.objects.get(stay=stay)
    assert review.days_approved == 4 and review.closed_at is not None and stay.open_review_id is None
    assert review.case.review_type == "concurrent" and review.case.status == CaseStatus.APPROVED
    line = review.case.lines.get()
    assert (line.units, line.start_date, line.end_date) == (4, date(2026, 3, 6), date(2026, 3, 9))
    assert review.case.authorization.valid_to == date(2026, 3, 9)
    kinds = list(CaseEvent.objects.filter(case=stay.case).values_list("kind", flat=True))
    assert CaseEvent.Kind.STAY_REVIEW_REQUESTED in kinds and CaseEvent.Kind.STAY_DAYS_APPROVED in kinds


def test_request_for_more_days_has_the_concurrent_clock_earliest_rule_wins(admit, nurse):
    # Commercial member in Maryland: NCQA 24 hours against Maryland's 1 business day.
    with time_machine.travel(at(2026, 12, 4, 10, 0), tick=False):  # Friday
        stay = admit(days=1)
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=3, note="Still on IV diuretics.")
    case = StayReview.objects.get(stay=stay).case
    assert case.decision_due_at == at(2026, 12, 5, 10, 0)
    rules = {c["rule"]: c["due_at"] for c in case.clocks}
    assert rules["ncqa"] == at(2026, 12, 5, 10, 0).isoformat()
    assert rules["md_insurance"] == datetime(2026, 12, 7, 23, 59, 59, tzinfo=NY).isoformat()
    assert case.status == CaseStatus.PHYSICIAN_REVIEW


def test_concurrent_clock_of_72_hours_counts_real_hours_across_dst(admit, nurse):
    with time_machine.travel(at(2026, 3, 6, 10, 0), tick=False):  # Friday, EST
        stay = admit(days=1, line_of_business="medicare_advantage")
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=2, note="Awaiting placement.")
    case = StayReview.objects.get(stay=stay).case
    # 72 hours later, clocks having jumped: 11:00 EDT on Monday.
    assert case.decision_due_at == at(2026, 3, 9, 11, 0)
    assert {c["rule"] for c in case.clocks} >= {"cms_ma", "ncqa"}


def test_physician_approves_fewer_days_and_the_stay_gets_those(admit, nurse, physician):
    knee = knee_criteria()
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=5, note="Slow progress.")
        case = StayReview.objects.get(stay=stay).case
        case_partially_approve(
            case_id=case.pk,
            actor=physician,
            password=PASSWORD,
            reason="Two more days meet the criteria.",
            criteria_ids=[knee.pk],
            lines=[{"id": str(case.lines.get().pk), "approved_units": 2}],
            reason_code="MN01",
        )
    stay.refresh_from_db()
    assert (stay.authorized_days, stay.authorized_through) == (4, date(2026, 3, 7))
    assert stay.open_review_id is None


def test_denied_request_closes_it_and_leaves_the_stay_due(admit, nurse, physician):
    knee = knee_criteria()
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=3, note="No acute need documented.")
        case = StayReview.objects.get(stay=stay).case
        case_deny(
            case_id=case.pk,
            actor=physician,
            basis="medical_necessity",
            password=PASSWORD,
            reason="Care can continue safely at home.",
            criteria_ids=[knee.pk],
            reason_code="MN01",
        )
    stay.refresh_from_db()
    assert (stay.authorized_days, stay.open_review_id) == (2, None)
    assert stay.next_review_on == date(2026, 3, 5)
    assert CaseEvent.objects.filter(case=stay.case, kind=CaseEvent.Kind.STAY_REVIEW_CLOSED).exists()


def test_nurse_cannot_approve_a_request_that_is_with_a_physician(admit, nurse):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=3, note="Borderline.")
        before = snapshot(stay)
        with pytest.raises(Conflict) as exc:
            stay_days_approve(stay_id=stay.pk, actor=nurse, days=3, expected_version=stay.version)
    assert exc.value.code == "with_physician"
    assert snapshot(stay) == before


def test_stale_version_is_409_and_writes_nothing(admit, nurse, nurse2):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        version = stay.version
        stay_note_add(stay_id=stay.pk, actor=nurse2, text="Family meeting Thursday.", expected_version=version)
        before = snapshot(stay)
        with pytest.raises(Conflict) as exc:
            stay_days_approve(stay_id=stay.pk, actor=nurse, days=2, expected_version=version)
    assert exc.value.code == "stale"
    assert snapshot(stay) == before


# Bad input: a clear error, nothing written ------------------------------------------------


@pytest.mark.parametrize(
    ("days", "review_on", "field"),
    [
        (-2, None, "days"),
        (0, None, "days"),
        ("three", None, "days"),
        (40, None, "days"),
        (2, "2026-03-01", "next_review_on"),  # before the admission
        (2, "2026-03-03", "next_review_on"),  # before the admission too (admitted 4 March)
        (2, "2026-03-20", "next_review_on"),  # after the last authorized day
        (2, "not-a-date", "next_review_on"),
    ],
)
def test_bad_days_or_review_dates_are_refused_with_nothing_written(admit, nurse, days, review_on, field):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        before = snapshot(stay)
        with pytest.raises(ValidationFailed) as exc:
            stay_days_approve(
                stay_id=stay.pk, actor=nurse, days=days, next_review_on=review_on, expected_version=stay.version
            )
    assert field in exc.value.errors and exc.value.message
    assert snapshot(stay) == before


def test_review_date_before_admission_says_so(admit, nurse):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        with pytest.raises(ValidationFailed) as exc:
            stay_days_approve(
                stay_id=stay.pk, actor=nurse, days=2, next_review_on="2026-03-01", expected_version=stay.version
            )
    assert "before the admission on 2026-03-04" in exc.value.message


def test_discharge_before_admission_or_in_the_future_is_refused(admit, nurse):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        before = snapshot(stay)
        for when, words in ((at(2026, 3, 4, 9, 0), "before the admission"), (at(2026, 3, 5, 9, 0), "future")):
            with pytest.raises(ValidationFailed) as exc:
                stay_discharge_record(stay_id=stay.pk, actor=nurse, discharged_at=when, disposition="home")
            assert words in exc.value.message
        with pytest.raises(ValidationFailed):
            stay_discharge_record(stay_id=stay.pk, actor=nurse, discharged_at=at(2026, 3, 4, 11), disposition="moon")
    assert snapshot(stay) == before


def test_discharge_withdraws_an_open_request_and_takes_the_stay_off_the_queue(admit, nurse):
    with time_machine.travel(at(2026, 3, 5, 10, 0), tick=False):
        stay = admit(days=2, start=date(2026, 3, 4))
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=2, note="Check.")
    review = StayReview.objects.get(stay=stay)
    # A nurse cannot act on a stay whose request is with a physician, except to discharge it.
    with time_machine.travel(at(2026, 3, 5, 16, 0), tick=False):
        stay = stay_discharge_record(
            stay_id=stay.pk, actor=nurse, discharged_at=at(2026, 3, 5, 15, 0), disposition="home_health"
        )
    review.case.refresh_from_db()
    assert review.case.status == CaseStatus.WITHDRAWN
    assert stay.next_review_on is None and stay.discharged_at == at(2026, 3, 5, 15, 0)
    with pytest.raises(Conflict):
        stay_note_add(stay_id=stay.pk, actor=nurse, text="Late note.")


def test_provider_cannot_see_or_act_on_a_stay_and_nothing_is_written(admit, provider):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        before = snapshot(stay)
        with pytest.raises(NotFound):
            stay_days_approve(stay_id=stay.pk, actor=provider, days=2, expected_version=stay.version)
        with pytest.raises(NotFound):
            stay_note_add(stay_id="x1", actor=provider, text="hi")
    assert snapshot(stay) == before


def test_a_concurrent_or_continuation_case_never_opens_a_second_stay(admit, nurse):
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        stay_days_approve(stay_id=stay.pk, actor=nurse, days=1, expected_version=stay.version)
        review_case = StayReview.objects.get(stay=stay).case
        assert stay_open_for_case(case=review_case, actor=nurse) is None
    assert InpatientStay.objects.count() == 1


# The physician-only rule and appeals -------------------------------------------------------


def test_nurse_cannot_approve_fewer_days_than_asked_nor_partially_approve(admit, nurse):
    from cases.services.stays import stay_review_open
    from um_portal.exceptions import NotAllowed

    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        locked = InpatientStay.objects.get(pk=stay.pk)
        case = stay_review_open(stay=locked, actor=nurse, days=4).case
        before = snapshot(stay)
        with pytest.raises(ValidationFailed) as exc:
            stay_days_approve(stay_id=stay.pk, actor=nurse, days=2, expected_version=locked.version)
        assert "route it to a physician" in exc.value.message
        with pytest.raises(NotAllowed):
            case_partially_approve(
                case_id=case.pk, actor=nurse, reason="Two days.", criteria_ids=[],
                lines=[{"id": str(case.lines.get().pk), "approved_units": 2}], reason_code="MN01",
            )  # fmt: skip
    assert snapshot(stay) == before


def test_appeal_overturning_a_denial_of_more_days_adds_them(admit, nurse, physician, physician2, hospital):
    from cases.services.providers import provider_user_attach
    from reviews.services.appeals import appeal_decide
    from reviews.services.provider_requests import appeal_file
    from tests.factories import UserFactory

    knee = knee_criteria()
    office = UserFactory(username="hospital_office")
    provider_user_attach(user=office, organization=hospital)
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=3, note="Borderline.")
        case = StayReview.objects.get(stay=stay).case
        case_deny(case_id=case.pk, actor=physician, basis="medical_necessity", password=PASSWORD,
                  reason="Care can continue at home.", criteria_ids=[knee.pk], reason_code="MN01")  # fmt: skip
        appeal = appeal_file(case=case, user=office, reason="Still febrile on IV antibiotics.", expedited=True)
        appeal_decide(appeal_id=appeal.pk, actor=physician2, outcome="overturned", reason="Fever documented.",
                      criteria_ids=[knee.pk], password=PASSWORD)  # fmt: skip
    stay.refresh_from_db()
    assert (stay.authorized_days, stay.authorized_through) == (5, date(2026, 3, 8))
    assert StayReview.objects.get(stay=stay).days_approved == 3


def test_approving_days_without_the_version_seen_is_refused_with_nothing_written(admit, nurse):
    # Approving opens a request when none is open: without the version the nurse saw, a late
    # second click could not be told from a new approval.
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        before = snapshot(stay)
        with pytest.raises(ValidationFailed) as exc:
            stay_days_approve(stay_id=stay.pk, actor=nurse, days=2, expected_version=None)
    assert "version" in exc.value.errors
    assert snapshot(stay) == before


def test_the_hospital_withdrawing_a_request_for_more_days_closes_it_on_the_stay(admit, nurse, hospital):
    from cases.services.providers import provider_user_attach
    from reviews.services.provider_requests import case_withdraw
    from tests.factories import UserFactory

    # Given a request for more days (the hospital's own request), routed to a physician
    hospital_um = UserFactory(username="harbor_um")
    provider_user_attach(user=hospital_um, organization=hospital)
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        stay = admit(days=2)
        stay = stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=3, note="Check the notes.")
    review = StayReview.objects.get(stay=stay)

    # When the hospital withdraws it (its page, the API or a PAS cancel)
    with time_machine.travel(at(2026, 3, 4, 11, 0), tick=False):
        case_withdraw(case=review.case, user=hospital_um, reason="The member goes home tomorrow.")

    # Then the stay no longer points at it: closed, no days added, the stay due for review
    stay.refresh_from_db()
    review.refresh_from_db()
    assert (stay.authorized_days, stay.open_review_id) == (2, None)
    assert review.closed_at == at(2026, 3, 4, 11, 0) and review.days_approved == 0
    assert stay.next_review_on == date(2026, 3, 5)
    closed = CaseEvent.objects.get(case=stay.case, kind=CaseEvent.Kind.STAY_REVIEW_CLOSED)
    assert "withdrawn" in closed.message.lower()
    # and a nurse may ask for more days again
    with time_machine.travel(at(2026, 3, 4, 12, 0), tick=False):
        stay_route_to_physician(stay_id=stay.pk, actor=nurse, days=1, note="New request.")
    assert StayReview.objects.filter(stay=stay, closed_at__isnull=True).count() == 1
