"""The public contact page and the administrators' phone-line pages."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from cases.models import PlanClosure
from notifications.models import ContactChangeLog, ContactLine, ContactLineHours

pytestmark = pytest.mark.django_db


def weekend_line():
    return ContactLine.objects.get(key="weekend_holiday")


def test_contact_page_needs_no_login_and_lists_every_line(client):
    response = client.get("/notifications/contact/")
    assert response.status_code == 200
    body = response.content.decode()
    for number in ("800-810-4766", "301-960-1436", "800-660-2019", "800-777-7902", "888-777-5536", "877-806-7470"):
        assert number in body
    assert len(response.context["routes"]) == 7


def test_contact_page_queries_are_pinned(client, django_assert_num_queries):
    # 1 lines, 2 their hours, 3 alternate phones, 4 inquiries (prefetches), 5 plan closures.
    # Anonymous: no session or user query.
    with django_assert_num_queries(5):
        client.get("/notifications/contact/")


def test_contact_page_query_count_does_not_grow_with_lines(client, admin_user, django_assert_num_queries):
    from notifications.contact.services import contact_line_save, line_hours_set

    for n in range(5):
        extra = contact_line_save(actor=admin_user, name=f"Extra {n}", phone=f"800-555-01{n:02d}")
        line_hours_set(actor=admin_user, line=extra, weekday=0, intervals=[(time(9), time(12))])
    with django_assert_num_queries(5):
        client.get("/notifications/contact/")


def test_non_admin_staff_cannot_open_the_grid(client, nurse):
    client.force_login(nurse)
    assert client.get("/notifications/lines/").status_code == 403


def test_grid_shows_each_line_and_its_hours(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/notifications/lines/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "UMOC Weekend and Holiday Line" in body
    assert "8:30–17:00" in body


def test_admin_edits_a_day_in_the_grid_and_it_is_logged(client, admin_user):
    client.force_login(admin_user)
    line = weekend_line()
    url = f"/notifications/lines/{line.pk}/hours/5/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"opens_1": "09:00", "closes_1": "12:00", "opens_2": "13:00", "closes_2": "16:00"})
    assert response.status_code == 302
    assert list(line.hours.filter(weekday=5).values_list("opens", "closes")) == [
        (time(9), time(12)),
        (time(13), time(16)),
    ]
    assert ContactChangeLog.objects.latest("id").actor == admin_user


def test_overlapping_hours_in_the_grid_are_refused_with_a_message(client, admin_user):
    client.force_login(admin_user)
    line = weekend_line()
    response = client.post(
        f"/notifications/lines/{line.pk}/hours/5/",
        {"opens_1": "09:00", "closes_1": "12:00", "opens_2": "11:00", "closes_2": "16:00"},
    )
    assert response.status_code == 200
    assert "09:00–12:00 overlaps 11:00–16:00" in response.content.decode()
    assert list(line.hours.filter(weekday=5).values_list("opens", "closes")) == [(time(8, 30), time(17))]


def test_half_filled_interval_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/notifications/lines/{weekend_line().pk}/hours/5/", {"opens_1": "09:00"})
    assert "give both the opening and the closing time" in response.content.decode()


def test_emptying_a_day_closes_it(client, admin_user):
    client.force_login(admin_user)
    line = weekend_line()
    client.post(f"/notifications/lines/{line.pk}/hours/6/", {})
    assert not ContactLineHours.objects.filter(line=line, weekday=6).exists()


def test_fallback_loop_in_the_line_form_is_refused(client, admin_user):
    client.force_login(admin_user)
    line = weekend_line()
    urgent = ContactLine.objects.get(key="umoc_urgent")
    response = client.post(
        f"/notifications/lines/{line.pk}/",
        {"name": line.name, "phone": line.phone, "fallback": urgent.pk, "display_order": 30, "open_on_holidays": "on"},
    )
    assert response.status_code == 200
    assert "Fallback loop" in response.content.decode()
    assert weekend_line().fallback_id is None


def test_line_form_saves_medicare_number_and_inquiries(client, admin_user):
    client.force_login(admin_user)
    line = ContactLine.objects.get(key="member_services")
    response = client.post(
        f"/notifications/lines/{line.pk}/",
        {
            "name": line.name,
            "phone": "800-777-7902",
            "tty": "711",
            "inquiries": ["member_services"],
            "display_order": 50,
            "phone_medicare_advantage": "888-777-0000",
        },
    )
    assert response.status_code == 302
    assert line.alternate_phones.get(line_of_business="medicare_advantage").phone == "888-777-0000"


def test_removing_the_last_line_for_an_inquiry_shows_the_refusal(client, admin_user):
    client.force_login(admin_user)
    line = ContactLine.objects.get(key="member_services")
    response = client.post(
        f"/notifications/lines/{line.pk}/", {"name": line.name, "phone": line.phone, "display_order": 50}
    )
    assert response.status_code == 200
    assert "No line would answer: Member Services" in response.content.decode()


def test_admin_adds_and_removes_a_closure(client, admin_user):
    client.force_login(admin_user)
    day = timezone.localdate() + timedelta(days=20)
    response = client.post(
        "/notifications/lines/closures/", {"date": day.isoformat(), "name": "Early close", "closed_from": "13:00"}
    )
    assert response.status_code == 302
    closure = PlanClosure.objects.get(name="Early close")
    assert closure.closed_from == time(13)
    client.post(f"/notifications/lines/closures/{closure.pk}/delete/")
    assert not PlanClosure.objects.filter(pk=closure.pk).exists()


def test_preview_answers_who_takes_a_saturday_urgent_call(client, admin_user):
    client.force_login(admin_user)
    response = client.get(
        "/notifications/lines/preview/", {"inquiry": "urgent_authorization", "date": "2026-12-12", "time": "10:00"}
    )
    route = response.context["route"]
    assert (route.line.name, route.open_now, route.is_fallback) == ("UMOC Weekend and Holiday Line", True, True)
    assert "301-960-1436" in response.content.decode()


def test_preview_default_form_renders(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/notifications/lines/preview/")
    assert response.status_code == 200
    assert response.context["route"] is None


def test_change_log_page_queries_are_pinned(client, admin_user, django_assert_num_queries):
    client.force_login(admin_user)
    # 1 session, 2 the user with their groups (role, for the context processor), 3 count,
    # 4 page of entries with their actors, 5 unread notifications (nav); 6-8 savepoint,
    # session refresh (SESSION_SAVE_EVERY_REQUEST), release.
    with django_assert_num_queries(8):
        response = client.get("/notifications/lines/changes/")
    assert response.status_code == 200
    assert "(shipped configuration)" in response.content.decode()


def test_nav_shows_phone_lines_to_admins_only(client, admin_user, nurse):
    client.force_login(admin_user)
    assert "/notifications/lines/" in client.get("/").content.decode()
    client.force_login(nurse)
    assert "/notifications/lines/" not in client.get("/").content.decode()


def test_change_log_page_shows_who_changed_what_from_what_to_what(client, admin_user):
    from notifications.contact.services import line_hours_set

    line_hours_set(actor=admin_user, line=weekend_line(), weekday=5, intervals=[(time(10), time(14))])
    client.force_login(admin_user)
    body = client.get("/notifications/lines/changes/").content.decode()
    assert "Admin Tester" in body
    assert "UMOC Weekend and Holiday Line, Saturday" in body
    assert '<span class="before">08:30–17:00</span> → <span class="after">10:00–14:00</span>' in body


def test_preview_of_a_far_future_date_is_refused_with_a_message(client, admin_user):
    client.force_login(admin_user)
    response = client.get(
        "/notifications/lines/preview/", {"inquiry": "urgent_authorization", "date": "9999-12-31", "time": "23:00"}
    )
    assert response.status_code == 200
    assert response.context["route"] is None
    assert "Give a moment between 1990 and 2199." in response.content.decode()


def test_closures_page_lists_the_coming_federal_holidays(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/notifications/lines/closures/")
    federal = response.context["federal"]
    today = timezone.localdate()
    assert federal, "six months always hold a federal holiday"
    assert all(today <= day <= today + timedelta(days=180) for day, _name in federal)
    assert federal == sorted(federal)


def test_hours_are_set_for_several_days_at_once(client, admin_user):
    """Issue 22, item 8: Saturday's hours, also for Sunday and Monday, in one save."""
    client.force_login(admin_user)
    line = weekend_line()

    response = client.post(
        f"/notifications/lines/{line.pk}/hours/5/", {"opens_1": "10:00", "closes_1": "14:00", "also_days": ["6", "0"]}
    )

    assert response.status_code == 302
    for day in (5, 6, 0):
        assert list(line.hours.filter(weekday=day).values_list("opens", "closes")) == [(time(10), time(14))], day


def test_a_refused_day_saves_no_day(client, admin_user):
    client.force_login(admin_user)
    line = weekend_line()
    before = sorted(line.hours.values_list("weekday", "opens", "closes"))

    response = client.post(
        f"/notifications/lines/{line.pk}/hours/5/",
        {"opens_1": "09:00", "closes_1": "12:00", "opens_2": "11:00", "closes_2": "16:00", "also_days": ["6"]},
    )

    assert response.status_code == 200
    assert sorted(line.hours.values_list("weekday", "opens", "closes")) == before
