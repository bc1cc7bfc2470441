"""Issue 19, item 1: the office hears once, 14 days before an authorization ends."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from notifications.models import AuthorizationReminder, Notification
from notifications.services.alerts import notification_email_send
from notifications.services.authorization_reminders import authorization_reminders_send
from notifications.tasks import authorization_expiry_reminders
from reviews.models import Authorization
from reviews.services.decisions import case_approve, case_deny

pytestmark = pytest.mark.django_db


@pytest.fixture
def ends(make_case, nurse, provider):
    """An approved case whose authorization ends on the returned day."""
    start = timezone.localdate() + timedelta(days=1)
    end = start + timedelta(days=40)
    provider.email = "office@example.org"
    provider.save(update_fields=["email"])
    case = make_case(lines=[{"code_system": "CPT", "code": "97110", "units": 12, "start_date": start, "end_date": end}])
    case_approve(case_id=case.pk, actor=nurse)
    return Authorization.objects.get(case=case)


def _at(day, hour=6):
    """Frozen at `hour` on `day` in the plan's zone."""
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=False)


def _notices(authorization):
    return Notification.objects.filter(case=authorization.case, kind=Notification.Kind.AUTHORIZATION_EXPIRING)


def test_reminder_goes_out_14_days_before_the_end_once_across_runs(ends, provider):
    end = ends.valid_to
    with _at(end - timedelta(days=15), hour=23):
        assert authorization_expiry_reminders.apply().get() == 0
    with _at(end - timedelta(days=14), hour=0):
        assert authorization_expiry_reminders.apply().get() == 1
        assert authorization_expiry_reminders.apply().get() == 0
    with _at(end - timedelta(days=13)):
        assert authorization_reminders_send() == 0

    notice = _notices(ends).get()
    assert notice.user == provider and notice.case_id == ends.case_id
    assert ends.number in notice.message and ends.case.reference in notice.message
    assert AuthorizationReminder.objects.get(authorization=ends).valid_to == end


def test_a_missed_run_is_caught_up_while_the_authorization_is_valid(ends):
    with _at(ends.valid_to - timedelta(days=3)):  # beat was down for 11 days
        assert authorization_reminders_send() == 1
        assert authorization_reminders_send() == 0
    assert _notices(ends).count() == 1


def test_no_reminder_after_the_end(ends):
    with _at(ends.valid_to + timedelta(days=1)):
        assert authorization_reminders_send() == 0
    assert not _notices(ends).exists()


def test_last_valid_day_still_reminds(ends):
    with _at(ends.valid_to, hour=23):
        assert authorization_reminders_send() == 1


def test_the_email_carries_no_phi(ends):
    member = ends.case.member
    with _at(ends.valid_to - timedelta(days=14)):
        authorization_reminders_send()
    notice = _notices(ends).get()
    notification_email_send(notification_id=notice.pk)
    body = mail.outbox[-1].subject + mail.outbox[-1].body
    assert f"/cases/{ends.case_id}" in body or str(ends.case_id) in body
    for phi in (
        member.first_name,
        member.last_name,
        member.member_number,
        str(ends.valid_to),
        ends.valid_to.isoformat(),
    ):
        assert phi not in body


def test_denied_cases_have_nothing_to_remind(make_case, nurse):
    case = make_case()
    case_deny(reason_code="BN01", case_id=case.pk, actor=nurse, basis="benefit", reason="Excluded.")
    with _at(timezone.localdate() + timedelta(days=10)):
        assert authorization_reminders_send() == 0


def test_an_approved_extension_gets_a_reminder_before_its_new_end(ends, provider, nurse):
    from reviews.services.authorization_changes import authorization_change_request

    old_end = ends.valid_to
    with _at(old_end - timedelta(days=14)):
        assert authorization_reminders_send() == 1
        change = authorization_change_request(
            case_id=ends.case_id, user=provider, kind="extend", end_date=old_end + timedelta(days=30), reason="More."
        )
        case_approve(case_id=change.pk, actor=nurse)
        assert authorization_reminders_send() == 0  # the new end is 44 days away

    ends.refresh_from_db()
    with _at(ends.valid_to - timedelta(days=14)):
        assert authorization_reminders_send() == 1
        assert authorization_reminders_send() == 0
    assert list(AuthorizationReminder.objects.order_by("valid_to").values_list("valid_to", flat=True)) == [
        old_end,
        ends.valid_to,
    ]
    assert _notices(ends).count() == 2
