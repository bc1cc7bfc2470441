"""Routing on the shipped configuration (RULES.md section 6), in the plan's time zone."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from cases.models import PlanClosure
from notifications.contact.routing import RoutingTable, fax_for, letter_phones, phone_for, route_inquiry, tty_for
from notifications.models import ContactLine, InquiryKind
from um_portal.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
UMOC, URGENT, WEEKEND = "UMOC", "UMOC urgent pre-service", "UMOC Weekend and Holiday Line"


def local(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=NY)


def answer(inquiry, at, **kwargs):
    return route_inquiry(inquiry=inquiry, at=at, **kwargs).as_dict()


# A plain week: Monday 2026-12-07 to Sunday 2026-12-13.
@pytest.mark.parametrize("day", [7, 8, 9, 10, 11])
def test_umoc_answers_authorizations_on_weekdays_during_hours(day):
    result = answer("authorization_request", local(2026, 12, day, 10))
    assert result == {
        "line": UMOC,
        "phone": "800-810-4766",
        "open_now": True,
        "opens_at": None,
        "hours": "Monday to Friday 8:30 to 17:00; closed on holidays",
    }


def test_friday_evening_authorization_call_opens_monday_morning():
    result = answer("authorization_status", local(2026, 12, 11, 18))
    assert result["line"] == UMOC
    assert result["open_now"] is False
    assert result["opens_at"] == "2026-12-14T08:30:00-05:00"


@pytest.mark.parametrize("day", [12, 13])
def test_urgent_call_on_weekend_goes_to_weekend_and_holiday_line(day):
    result = answer("urgent_authorization", local(2026, 12, day, 11))
    assert result["line"] == WEEKEND
    assert result["phone"] == "301-960-1436"
    assert result["open_now"] is True
    assert result["hours"] == "Saturday and Sunday 8:30 to 17:00; holidays 8:30 to 17:00"


def test_urgent_call_on_weekday_stays_on_urgent_line():
    result = answer("urgent_authorization", local(2026, 12, 9, 9))
    assert (result["line"], result["phone"], result["open_now"]) == (URGENT, "800-810-4766", True)


def test_urgent_call_friday_night_is_told_the_weekend_line_opens_saturday():
    result = answer("urgent_authorization", local(2026, 12, 11, 20))
    assert result["line"] == WEEKEND
    assert result["open_now"] is False
    assert result["opens_at"] == "2026-12-12T08:30:00-05:00"


def test_urgent_call_sunday_night_is_told_the_urgent_line_opens_monday():
    result = answer("urgent_authorization", local(2026, 12, 13, 20))
    assert result["line"] == URGENT
    assert result["opens_at"] == "2026-12-14T08:30:00-05:00"


def test_non_urgent_call_on_saturday_is_closed_until_monday():
    result = answer("criteria_copy", local(2026, 12, 12, 11))
    assert result["line"] == UMOC
    assert result["open_now"] is False
    assert result["opens_at"] == "2026-12-14T08:30:00-05:00"


@pytest.mark.parametrize(
    ("hh", "mm", "open_now"),
    [(8, 29, False), (8, 30, True), (16, 59, True), (17, 0, False)],
)
def test_minutes_around_opening_and_closing(hh, mm, open_now):
    assert answer("authorization_request", local(2026, 12, 8, hh, mm))["open_now"] is open_now


def test_just_before_opening_says_it_opens_this_morning():
    result = answer("authorization_request", local(2026, 12, 8, 8, 29))
    assert result["opens_at"] == "2026-12-08T08:30:00-05:00"


def test_after_closing_says_it_opens_tomorrow_morning():
    result = answer("authorization_request", local(2026, 12, 8, 17, 0))
    assert result["opens_at"] == "2026-12-09T08:30:00-05:00"


def test_member_services_hours_and_medicare_number():
    assert answer("member_services", local(2026, 12, 8, 7, 30))["open_now"] is True
    assert answer("member_services", local(2026, 12, 8, 17, 30))["open_now"] is False
    assert answer("member_services", local(2026, 12, 8, 12))["phone"] == "800-777-7902"
    medicare = answer("member_services", local(2026, 12, 8, 12), line_of_business="medicare_advantage")
    assert medicare["phone"] == "888-777-5536"


# Holidays: Independence Day 2026 falls on Saturday, observed Friday 2026-07-03;
# Christmas 2027 falls on Saturday, observed Friday 2027-12-24.
@pytest.mark.parametrize("day", [(2026, 7, 3), (2027, 12, 24), (2026, 11, 26), (2027, 1, 18)])
def test_federal_holiday_closes_umoc_and_urgent_calls_go_to_holiday_line(day):
    at = local(*day, 10)
    assert answer("authorization_request", at)["open_now"] is False
    urgent = answer("urgent_authorization", at)
    assert (urgent["line"], urgent["open_now"]) == (WEEKEND, True)


def test_observed_holiday_next_opening_skips_the_long_weekend():
    result = answer("authorization_request", local(2026, 7, 2, 17, 30))
    assert result["opens_at"] == "2026-07-06T08:30:00-04:00"
    result = answer("authorization_request", local(2027, 12, 23, 17, 30))
    assert result["opens_at"] == "2027-12-27T08:30:00-05:00"


def test_day_before_observed_holiday_is_an_ordinary_day():
    assert answer("authorization_request", local(2026, 7, 2, 10))["open_now"] is True
    assert answer("urgent_authorization", local(2026, 7, 2, 10))["line"] == URGENT


def test_administrator_closure_closes_the_day_like_a_holiday():
    PlanClosure.objects.create(date=datetime(2026, 12, 9).date(), name="Staff training day")
    at = local(2026, 12, 9, 10)
    assert answer("authorization_request", at)["open_now"] is False
    assert answer("authorization_request", at)["opens_at"] == "2026-12-10T08:30:00-05:00"
    assert answer("urgent_authorization", at)["line"] == WEEKEND


def test_early_close_ends_the_day_early_and_hands_urgent_calls_to_holiday_line():
    PlanClosure.objects.create(
        date=datetime(2026, 12, 31).date(),
        name="New Year's Eve early close",
        closed_from=time(13),
        counts_as_holiday=False,
    )
    assert answer("authorization_request", local(2026, 12, 31, 12, 59))["open_now"] is True
    closed = answer("authorization_request", local(2026, 12, 31, 13, 0))
    assert closed["open_now"] is False
    # 2027-01-01 is New Year's Day: next opening is Monday the 4th.
    assert closed["opens_at"] == "2027-01-04T08:30:00-05:00"
    assert answer("urgent_authorization", local(2026, 12, 31, 12))["line"] == URGENT
    urgent = answer("urgent_authorization", local(2026, 12, 31, 14))
    assert (urgent["line"], urgent["open_now"]) == (WEEKEND, True)


# DST: clocks spring forward on Sunday 2026-03-08 and fall back on Sunday 2026-11-01.
def test_weekend_line_opens_at_local_830_on_both_sides_of_spring_forward():
    saturday_open = datetime(2026, 3, 7, 13, 30, tzinfo=UTC)  # 08:30 EST
    sunday_open = datetime(2026, 3, 8, 12, 30, tzinfo=UTC)  # 08:30 EDT
    assert route_inquiry(inquiry="urgent_authorization", at=saturday_open).open_now is True
    assert route_inquiry(inquiry="urgent_authorization", at=datetime(2026, 3, 7, 13, 29, tzinfo=UTC)).open_now is False
    assert route_inquiry(inquiry="urgent_authorization", at=sunday_open).open_now is True
    assert route_inquiry(inquiry="urgent_authorization", at=datetime(2026, 3, 8, 12, 29, tzinfo=UTC)).open_now is False
    after_saturday = route_inquiry(inquiry="urgent_authorization", at=local(2026, 3, 7, 18))
    assert after_saturday.opens_at == sunday_open


def test_weekend_line_hours_on_fall_back_sunday():
    assert route_inquiry(inquiry="urgent_authorization", at=datetime(2026, 11, 1, 13, 30, tzinfo=UTC)).open_now is True
    assert route_inquiry(inquiry="urgent_authorization", at=datetime(2026, 11, 1, 13, 29, tzinfo=UTC)).open_now is False
    result = answer("urgent_authorization", local(2026, 10, 31, 17, 30))
    assert result["opens_at"] == "2026-11-01T08:30:00-05:00"


def test_fallback_loop_in_data_does_not_hang_routing():
    umoc = ContactLine.objects.get(key="umoc")
    urgent = ContactLine.objects.get(key="umoc_urgent")
    # Written around the services on purpose: routing must survive bad data.
    ContactLine.objects.filter(key="weekend_holiday").update(fallback=urgent)
    ContactLine.objects.filter(pk=umoc.pk).update(fallback=urgent)
    result = answer("urgent_authorization", local(2026, 12, 12, 20))
    assert (result["line"], result["opens_at"]) == (WEEKEND, "2026-12-13T08:30:00-05:00")


def test_line_with_no_hours_and_no_fallback_says_so():
    line = ContactLine.objects.get(key="umoc")
    line.hours.all().delete()
    result = answer("authorization_request", local(2026, 12, 8, 10))
    assert (result["line"], result["open_now"], result["opens_at"]) == (UMOC, False, None)
    assert result["hours"] == "No hours set"


def test_unknown_inquiry_is_refused():
    with pytest.raises(ValidationFailed):
        route_inquiry(inquiry="pizza", at=local(2026, 12, 8, 10))


def test_routing_table_answers_every_inquiry_in_five_queries(django_assert_num_queries):
    at = local(2026, 12, 8, 10)
    # 1 lines, 2 hours, 3 alternate phones, 4 inquiries (prefetches), 5 plan closures.
    with django_assert_num_queries(5):
        table = RoutingTable(around=at)
        routes = [table.route(inquiry=kind, at=at) for kind in InquiryKind.values]
    assert [r.open_now for r in routes] == [True] * 7


def test_letter_numbers_come_from_the_configuration():
    assert letter_phones() == {
        "um": "800-810-4766",
        "criteria_copy": "800-810-4766",
        "um_physician": "800-810-4766",
        "benefit_denial": "800-810-4766",
        "member_services": "800-777-7902",
        "tty": "711",
        "fax": "800-660-2019",
        "provider_experience": "877-806-7470",
        "weekend_holiday": "301-960-1436",
    }
    assert letter_phones(line_of_business="medicare_advantage")["member_services"] == "888-777-5536"
    assert phone_for(inquiry="criteria_copy") == "800-810-4766"
    assert phone_for(inquiry="member_services", line_of_business="medicare_advantage") == "888-777-5536"
    assert phone_for(line_key="provider_experience") == "877-806-7470"
    assert (tty_for(), fax_for()) == ("711", "800-660-2019")


def test_letter_numbers_follow_an_administrator_change():
    ContactLine.objects.filter(key="umoc").update(phone="800-555-0100")
    assert phone_for(inquiry="adverse_determination") == "800-555-0100"
    assert letter_phones()["criteria_copy"] == "800-555-0100"
