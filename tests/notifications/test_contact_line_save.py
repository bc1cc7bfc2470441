"""Configuration writes: validation refusals save nothing; every change is logged."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cases.models import PlanClosure
from notifications.contact.services import (
    closure_create,
    closure_delete,
    contact_line_delete,
    contact_line_save,
    line_alternate_phone_set,
    line_hours_set,
)
from notifications.models import ContactChangeLog, ContactLine, ContactLineHours, ContactLineInquiry
from um_portal.exceptions import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


def line(key):
    return ContactLine.objects.get(key=key)


def hours_of(key, weekday):
    return list(
        ContactLineHours.objects.filter(line__key=key, weekday=weekday).order_by("opens").values_list("opens", "closes")
    )


def save_kwargs(obj, **changes):
    data = {
        "name": obj.name,
        "phone": obj.phone,
        "fax": obj.fax,
        "tty": obj.tty,
        "purpose": obj.purpose,
        "open_on_holidays": obj.open_on_holidays,
        "always_open": obj.always_open,
        "fallback": obj.fallback,
        "display_order": obj.display_order,
    }
    data.update(changes)
    return data


def test_hours_change_is_saved_and_logged_with_old_and_new(admin_user):
    line_hours_set(actor=admin_user, line=line("weekend_holiday"), weekday=5, intervals=[(time(9), time(13))])
    assert hours_of("weekend_holiday", 5) == [(time(9), time(13))]
    entry = ContactChangeLog.objects.latest("id")
    assert entry.actor == admin_user
    assert entry.object_kind == "hours"
    assert entry.object_label == "UMOC Weekend and Holiday Line, Saturday"
    assert (entry.old, entry.new) == ([["08:30", "17:00"]], [["09:00", "13:00"]])


def test_several_intervals_a_day_are_allowed(admin_user):
    intervals = [(time(13), time(17)), (time(8, 30), time(12))]
    line_hours_set(actor=admin_user, line=line("umoc"), weekday=2, intervals=intervals)
    assert hours_of("umoc", 2) == [(time(8, 30), time(12)), (time(13), time(17))]


def test_unchanged_hours_write_no_log(admin_user):
    before = ContactChangeLog.objects.count()
    line_hours_set(actor=admin_user, line=line("umoc"), weekday=0, intervals=[(time(8, 30), time(17))])
    assert ContactChangeLog.objects.count() == before


@pytest.mark.parametrize(
    ("intervals", "message"),
    [
        ([(time(8, 30), time(12)), (time(11), time(17))], "08:30–12:00 overlaps 11:00–17:00"),
        ([(time(17), time(8, 30))], "17:00–08:30 ends before it starts"),
        ([(time(9), time(9))], "09:00–09:00 ends before it starts"),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_saved(admin_user, intervals, message):
    before = ContactChangeLog.objects.count()
    with pytest.raises(ValidationFailed, match=message):
        line_hours_set(actor=admin_user, line=line("umoc"), weekday=1, intervals=intervals)
    assert hours_of("umoc", 1) == [(time(8, 30), time(17))]
    assert ContactChangeLog.objects.count() == before


def test_model_clean_refuses_overlap_like_the_admin_would():
    umoc = line("umoc")
    with pytest.raises(ValidationError, match="overlaps"):
        ContactLineHours(line=umoc, weekday=0, opens=time(16), closes=time(18)).full_clean()


def test_fallback_loop_is_refused_and_nothing_is_saved(admin_user):
    weekend = line("weekend_holiday")
    urgent = line("umoc_urgent")
    with pytest.raises(ValidationFailed, match="Fallback loop: UMOC Weekend and Holiday Line → UMOC urgent"):
        contact_line_save(actor=admin_user, line=weekend, **save_kwargs(weekend, fallback=urgent))
    assert line("weekend_holiday").fallback_id is None


def test_fallback_loop_is_refused_by_model_clean():
    weekend = line("weekend_holiday")
    weekend.fallback = line("umoc_urgent")
    with pytest.raises(ValidationError, match="Fallback loop"):
        weekend.full_clean()


def test_line_cannot_fall_back_on_itself(admin_user):
    umoc = line("umoc")
    with pytest.raises(ValidationFailed, match="itself"):
        contact_line_save(actor=admin_user, line=umoc, **save_kwargs(umoc, fallback=umoc))


def test_removing_the_only_line_for_an_inquiry_is_refused(admin_user):
    umoc = line("umoc")
    with pytest.raises(ValidationFailed, match="No line would answer: Copy of the criteria used"):
        contact_line_save(
            actor=admin_user,
            line=umoc,
            **save_kwargs(umoc, phone="800-555-0199"),
            inquiries=[
                "authorization_request",
                "authorization_status",
                "benefit_denial_question",
                "adverse_determination",
            ],
        )
    assert line("umoc").phone == "800-810-4766"
    assert ContactLineInquiry.objects.filter(inquiry="criteria_copy", line__key="umoc").exists()


def test_choosing_an_inquiry_on_another_line_moves_it_and_logs_both(admin_user):
    experience = line("provider_experience")
    contact_line_save(actor=admin_user, line=experience, **save_kwargs(experience), inquiries=["criteria_copy"])
    assert ContactLineInquiry.objects.get(inquiry="criteria_copy").line == experience
    entries = list(ContactChangeLog.objects.order_by("-id")[:2])
    labels = {e.object_label: e for e in entries}
    assert labels["Provider Experience"].new["inquiries"] == ["criteria_copy"]
    assert "criteria_copy" in labels["UMOC"].old["inquiries"]
    assert "criteria_copy" not in labels["UMOC"].new["inquiries"]


def test_deleting_a_line_that_answers_inquiries_is_refused(admin_user):
    with pytest.raises(ValidationFailed, match="No line would answer"):
        contact_line_delete(actor=admin_user, line=line("member_services"))
    assert ContactLine.objects.filter(key="member_services").exists()


def test_deleting_a_fallback_in_use_is_refused(admin_user):
    with pytest.raises(ValidationFailed, match="fallback of UMOC urgent pre-service"):
        contact_line_delete(actor=admin_user, line=line("weekend_holiday"))
    assert ContactLine.objects.filter(key="weekend_holiday").exists()


def test_new_line_and_its_deletion_are_logged(admin_user):
    created = contact_line_save(actor=admin_user, name="Pharmacy", phone="800-555-0123")
    contact_line_delete(actor=admin_user, line=created)
    deleted, made = ContactChangeLog.objects.order_by("-id")[:2]
    assert (made.action, made.new["phone"], made.old) == ("created", "800-555-0123", None)
    assert (deleted.action, deleted.old["name"], deleted.new) == ("deleted", "Pharmacy", None)


def test_duplicate_name_is_a_conflict(admin_user):
    with pytest.raises(Conflict):
        contact_line_save(actor=admin_user, name="UMOC", phone="800-555-0123")


def test_line_needs_a_number(admin_user):
    with pytest.raises(ValidationFailed, match="phone or a fax"):
        contact_line_save(actor=admin_user, name="Nowhere")


def test_alternate_phone_change_is_logged(admin_user):
    line_alternate_phone_set(
        actor=admin_user, line=line("member_services"), line_of_business="medicaid", phone="800-555-0150"
    )
    entry = ContactChangeLog.objects.latest("id")
    assert entry.new == {"alternate_phone": {"medicaid": "800-555-0150"}}
    assert entry.old == {"alternate_phone": {"medicaid": None}}


def test_closure_create_and_delete_are_logged(admin_user):
    day = timezone.localdate() + timedelta(days=10)
    closure = closure_create(actor=admin_user, date=day, name="Early close", closed_from=time(13))
    assert closure.counts_as_holiday is False  # an early close never removes a business day
    closure_delete(actor=admin_user, closure=closure)
    deleted, created = ContactChangeLog.objects.order_by("-id")[:2]
    assert created.new["closed_from"] == "13:00"
    assert deleted.old["name"] == "Early close"
    assert not PlanClosure.objects.filter(pk=closure.pk).exists()


def test_closure_in_the_past_is_refused(admin_user):
    with pytest.raises(ValidationFailed, match="past"):
        closure_create(actor=admin_user, date=timezone.localdate() - timedelta(days=1), name="Oops")
    assert not PlanClosure.objects.filter(name="Oops").exists()


def test_change_log_is_append_only(admin_user):
    line_hours_set(actor=admin_user, line=line("umoc"), weekday=0, intervals=[(time(9), time(17))])
    entry = ContactChangeLog.objects.latest("id")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        ContactChangeLog.objects.filter(pk=entry.pk).update(new=None)


@pytest.mark.postgres
def test_change_log_rows_cannot_be_altered_even_in_sql(admin_user):
    line_hours_set(actor=admin_user, line=line("umoc"), weekday=0, intervals=[(time(9), time(17))])
    entry = ContactChangeLog.objects.latest("id")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_contactchangelog WHERE id = %s", [entry.pk])
    assert ContactChangeLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("number", ["call us", "8", "800-810-4766 ext", "1-800-FLOWERS"])
def test_a_phone_that_is_not_a_number_is_refused(admin_user, number):
    umoc = line("umoc")
    with pytest.raises(ValidationFailed, match="is not a phone number"):
        contact_line_save(actor=admin_user, line=umoc, **save_kwargs(umoc, phone=number))
    assert line("umoc").phone == "800-810-4766"


@pytest.mark.parametrize("number", ["711", "(301) 960 1436", "+1 800 555 0100", "800.555.0100"])
def test_usual_phone_spellings_are_accepted(admin_user, number):
    umoc = line("umoc")
    contact_line_save(actor=admin_user, line=umoc, **save_kwargs(umoc, tty=number))
    assert line("umoc").tty == number
