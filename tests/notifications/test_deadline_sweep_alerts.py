"""The deadline sweep service: thresholds, recipients, exactly-once, catch-up, guard.

The case used: a Virginia commercial expedited request received 2026-06-10 09:00 local,
so only NCQA applies (72 hours): 50 % at +36 h, 75 % at +54 h, 90 % at +64.8 h, due at +72 h.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from django.core import mail
from django.db import connection

from cases.models import CaseEvent
from notifications.models import Notification
from notifications.services.alerts import notification_email_send
from notifications.services.deadline_sweep import SWEEP_LOCK_KEY, deadline_sweep_run
from reviews.models import CaseAlert, Pend
from tests.factories import CoverageFactory, MemberFactory

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 6, 10, 9, 0, tzinfo=NY)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@pytest.fixture
def va_case(make_case):
    member = MemberFactory(state="VA", first_name="Zelda", last_name="Quimby")
    CoverageFactory(member=member, state="VA")
    return make_case(member=member, received_at=T0, urgency="expedited", start_date=date(2026, 6, 12))


def thresholds(case) -> list[str]:
    return sorted(CaseAlert.objects.filter(case=case).values_list("threshold", flat=True))


def recipients(case, kind) -> set[str]:
    return set(Notification.objects.filter(case=case, kind=kind).values_list("user__username", flat=True))


def test_the_case_is_due_72_hours_after_receipt(va_case):
    assert va_case.decision_due_at == hours(72)
    assert va_case.alert_next_at == hours(36)


def test_nothing_fires_before_half_time(va_case, nurse):
    result = deadline_sweep_run(now=hours(35.9))

    assert result.cases == 0
    assert thresholds(va_case) == []
    assert not Notification.objects.exists()


def test_half_time_alerts_the_assignee_only(va_case, nurse, nurse2, admin_user):
    type(va_case).objects.filter(pk=va_case.pk).update(assigned_to=nurse)

    deadline_sweep_run(now=hours(36))

    assert thresholds(va_case) == ["50"]
    assert recipients(va_case, "deadline_50") == {"nurse"}
    va_case.refresh_from_db()
    assert va_case.alert_next_at == hours(54)
    assert va_case.overdue_at is None
    assert va_case.events.filter(kind=CaseEvent.Kind.ALERT_RAISED, new_value="50").count() == 1


def test_unassigned_case_alerts_every_nurse(va_case, nurse, nurse2, physician, admin_user):
    deadline_sweep_run(now=hours(36))

    assert recipients(va_case, "deadline_50") == {"nurse", "nurse2"}


def test_ninety_percent_goes_to_the_supervisors(va_case, nurse, admin_user):
    deadline_sweep_run(now=hours(65))

    assert thresholds(va_case) == ["50", "75", "90"]
    assert recipients(va_case, "deadline_90") == {"admin"}
    assert recipients(va_case, "deadline_75") == {"nurse"}


def test_overdue_flags_the_case_and_escalates_to_reviewer_and_supervisor(va_case, nurse, nurse2, admin_user):
    type(va_case).objects.filter(pk=va_case.pk).update(assigned_to=nurse2)

    deadline_sweep_run(now=hours(72))

    va_case.refresh_from_db()
    assert va_case.overdue_at == va_case.decision_due_at
    assert recipients(va_case, "overdue") == {"nurse2", "admin"}
    assert va_case.alert_next_at is None


def test_catch_up_after_an_outage_fires_every_passed_threshold_once(va_case, nurse, admin_user):
    deadline_sweep_run(now=hours(40))  # before the outage: 50 %
    assert thresholds(va_case) == ["50"]

    deadline_sweep_run(now=hours(100))  # workers were down from +40 h to +100 h
    deadline_sweep_run(now=hours(101))

    assert thresholds(va_case) == ["50", "75", "90", "overdue"]
    assert Notification.objects.filter(case=va_case, kind="deadline_50").count() == 1
    assert Notification.objects.filter(case=va_case, kind="deadline_75").count() == 1
    assert Notification.objects.filter(case=va_case, kind="deadline_90").count() == 1
    assert Notification.objects.filter(case=va_case, kind="overdue").count() == 2  # nurse and admin


def test_running_twice_raises_nothing_twice(va_case, nurse):
    first = deadline_sweep_run(now=hours(60))
    second = deadline_sweep_run(now=hours(60))

    assert first.alerts == {"50": 1, "75": 1}
    assert second.cases == 0 and second.alerts == {}
    assert Notification.objects.count() == 2


def test_decided_cases_are_not_swept(va_case, nurse):
    type(va_case).objects.filter(pk=va_case.pk).update(status="approved")

    deadline_sweep_run(now=hours(100))

    assert thresholds(va_case) == []


def test_batches_are_bounded_and_drain(make_case, nurse):
    member = MemberFactory(state="VA")
    CoverageFactory(member=member, state="VA")
    for _ in range(5):
        make_case(member=member, received_at=T0, urgency="expedited", start_date=date(2026, 6, 12))

    result = deadline_sweep_run(now=hours(37), batch_size=2, max_batches=2)
    assert (result.cases, result.batches, result.more) == (4, 2, True)
    result = deadline_sweep_run(now=hours(37), batch_size=2, max_batches=2)
    assert (result.cases, result.more) == (1, False)
    assert CaseAlert.objects.filter(threshold="50").count() == 5


@pytest.mark.postgres
def test_a_second_sweep_does_not_run_while_one_holds_the_lock(va_case, nurse):
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432, password=db["PASSWORD"] or None
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SWEEP_LOCK_KEY])
        result = deadline_sweep_run(now=hours(100))
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])
    finally:
        other.close()

    assert result.ran is False
    assert thresholds(va_case) == []
    assert deadline_sweep_run(now=hours(100)).ran is True  # once the other sweep let go


def test_extension_moves_the_next_alert_and_does_not_repeat_fired_ones(make_case, nurse):
    from reviews.services.extensions import case_extend

    member = MemberFactory(state="VA")
    CoverageFactory(member=member, state="VA", line_of_business="medicare_advantage")
    case = make_case(member=member, received_at=T0, start_date=date(2026, 7, 1))  # MA standard: 7 days
    deadline_sweep_run(now=case.received_at + (case.decision_due_at - case.received_at) * 0.6)
    assert thresholds(case) == ["50"]

    case_extend(case_id=case.pk, actor=nurse, ground="member_request", reason="Member asked for time.")
    case.refresh_from_db()
    deadline_sweep_run(now=case.received_at + (case.decision_due_at - case.received_at) * 0.6)

    assert thresholds(case) == ["50"]
    assert case.alert_next_at == case.received_at + (case.decision_due_at - case.received_at) * 0.75


def test_maryland_information_notice_reminder_unless_the_provider_was_already_asked(make_case, nurse):
    member = MemberFactory(state="MD")
    CoverageFactory(member=member, state="MD")
    received = datetime(2026, 12, 1, 9, 0, tzinfo=NY)  # Tuesday: 2 business days, due Thu 23:59:59
    asked = make_case(member=member, received_at=received, start_date=date(2026, 12, 20))
    not_asked = make_case(member=member, received_at=received, start_date=date(2026, 12, 20))
    Pend.objects.create(
        case=asked,
        requested_information="Notes",
        respond_by=date(2026, 12, 10),
        requested_by=nurse,
        requested_at=received,
    )
    # Notice due Fri 4 Dec 23:59:59: reminder a day before (Thu 3 Dec 23:59:59).
    assert not_asked.information_notice_due_at == datetime(2026, 12, 4, 23, 59, 59, tzinfo=NY)

    deadline_sweep_run(now=datetime(2026, 12, 4, 0, 0, tzinfo=NY))

    assert "information_notice" in thresholds(not_asked)
    assert recipients(not_asked, "information_notice_due") == {"nurse"}
    assert CaseAlert.objects.get(case=asked, threshold="information_notice").notified == 0
    assert recipients(asked, "information_notice_due") == set()


def test_alert_email_is_sent_once_and_carries_no_phi(va_case, nurse):
    deadline_sweep_run(now=hours(36))
    notification = Notification.objects.get(case=va_case)

    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [nurse.email]
    assert va_case.reference in message.body
    text = message.subject + message.body
    for phi in ("Zelda", "Quimby", va_case.member.member_number, "M17.11", "27447"):
        assert phi not in text


def test_ninety_percent_goes_to_the_um_supervisors_not_the_administrators(va_case, nurse, nurse2, admin_user):
    from um_portal.roles import user_set_supervisor

    user_set_supervisor(user=nurse2)
    type(va_case).objects.filter(pk=va_case.pk).update(assigned_to=nurse)

    deadline_sweep_run(now=hours(65))

    assert recipients(va_case, "deadline_90") == {"nurse2"}
    assert recipients(va_case, "deadline_75") == {"nurse"}


def test_a_supervisor_holding_the_permission_directly_counts_and_an_inactive_one_does_not(
    va_case, nurse, nurse2, physician, admin_user
):
    from django.contrib.auth.models import Permission

    from um_portal.roles import user_set_supervisor

    user_set_supervisor(user=nurse2)
    type(nurse2).objects.filter(pk=nurse2.pk).update(is_active=False)
    physician.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="reassign_cases"))

    deadline_sweep_run(now=hours(72))

    assert recipients(va_case, "deadline_90") == {"physician"}
    assert recipients(va_case, "overdue") == {"nurse", "physician"}  # every nurse (unassigned), the supervisor
