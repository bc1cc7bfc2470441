"""The yearly inter-rater reliability reminder (issue 16, item 3): the administrators are
told when no exercise was built in a year, once a month at most, never when one is recent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification
from notifications.services.irr_reminder import MESSAGE
from notifications.tasks import irr_yearly_reminder
from reviews.models import IrrExercise
from tests.factories import CriteriaVersionFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("America/New_York"))


def _reminders(user) -> int:
    return Notification.objects.filter(user=user, message=MESSAGE).count()


def test_no_exercise_in_a_year_reminds_the_admins_once_a_month(admin_user, nurse):
    with time_machine.travel(NOW, tick=False):
        assert irr_yearly_reminder() == 1
        assert irr_yearly_reminder() == 0  # the same day, or a second beat: once
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        assert irr_yearly_reminder() == 1

    assert _reminders(admin_user) == 2 and _reminders(nurse) == 0


def test_a_recent_exercise_means_no_reminder(admin_user):
    IrrExercise.objects.create(
        name="Knee", criteria_version=CriteriaVersionFactory(), created_by=admin_user,
        created_at=NOW - timedelta(days=300),
    )  # fmt: skip

    with time_machine.travel(NOW, tick=False):
        assert irr_yearly_reminder() == 0
    with time_machine.travel(NOW + timedelta(days=70), tick=False):
        assert irr_yearly_reminder() == 1  # 370 days since the last one
