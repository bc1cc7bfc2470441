"""Notice deadlines (RULES.md section 2) are stored on each letter and swept once overdue."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from notifications.letters.deadlines import letter_due_at
from notifications.models import Letter, Notification
from notifications.services.letters import letters_plan_for_event
from notifications.services.sweep import letters_sweep

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def _due(letters, recipient):
    return next(x.due_at for x in letters if x.recipient == recipient)


def test_california_provider_notice_in_24_hours_member_in_2_business_days(make_case, decide, ca_member):
    # Decided on Friday 2026-03-06 15:00: provider by Saturday 15:00, member by Tuesday 23:59:59.
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=NY)
    case = make_case(member=ca_member, received_at=friday - timedelta(days=1))
    assert "ca_knox_keene" in [c["rule"] for c in case.clocks]
    _, event = decide(case, "denied", reason="Not enough therapy.")
    case.decided_at = friday

    def due(recipient):
        return letter_due_at(case=case, kind="denial", recipient=recipient, event=event)

    assert due("requesting_provider") == datetime(2026, 3, 7, 15, 0, tzinfo=NY)
    assert due("servicing_provider") == datetime(2026, 3, 7, 15, 0, tzinfo=NY)
    assert due("member") == datetime(2026, 3, 10, 23, 59, 59, tzinfo=NY)


def test_planned_letters_carry_their_notice_deadline(make_case, decide, ca_member):
    case = make_case(member=ca_member)
    _, event = decide(case, "denied", reason="Not enough therapy.")
    case.refresh_from_db()

    letters = letters_plan_for_event(event=event)

    assert _due(letters, "requesting_provider") == case.decided_at + timedelta(hours=24)
    assert timezone.localtime(_due(letters, "member")).time().isoformat() == "23:59:59"


def test_ma_expedited_written_notice_is_due_with_the_decision_deadline(make_case, decide, ma_member):
    case = make_case(member=ma_member, urgency="expedited", expedited_reason="Pain is getting worse fast.")
    _, event = decide(case, "denied", reason="Not enough therapy.")

    letters = letters_plan_for_event(event=event)

    assert {x.due_at for x in letters} == {case.decision_due_at}


def test_standard_decision_notice_is_due_with_the_decision_deadline(make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")

    assert {x.due_at for x in letters_plan_for_event(event=event)} == {case.decision_due_at}


def test_overdue_notice_alerts_the_supervisor_once(make_case, decide, admin_user):
    case = make_case()
    _, event = decide(case, "approved", basis="")
    letters_plan_for_event(event=event)  # planned, never issued (the worker is down)
    later = case.decision_due_at + timedelta(minutes=1)

    first = letters_sweep(now=later)
    second = letters_sweep(now=later + timedelta(hours=1))

    assert first["overdue_alerts"] == 2 and second["overdue_alerts"] == 0
    assert Notification.objects.filter(user=admin_user, kind=Notification.Kind.OVERDUE, case=case).count() == 2
    assert (
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ALERT_RAISED, new_value="notice_overdue").count() == 2
    )
    assert Letter.objects.filter(case=case, overdue_alerted_at__isnull=True).count() == 0


def test_sweep_does_not_alert_before_the_notice_is_due(make_case, decide, admin_user):
    case = make_case()
    _, event = decide(case, "approved", basis="")
    letters_plan_for_event(event=event)

    assert letters_sweep(now=case.decision_due_at - timedelta(minutes=1))["overdue_alerts"] == 0
    assert not Notification.objects.exists()
