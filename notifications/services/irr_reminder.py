"""The yearly inter-rater reliability reminder (issue 16, item 3; NCQA UM standards expect
the plan to test its reviewers' consistency at least once a year). A daily beat task asks:
was an exercise built in the last year? If not, the UM administrators get one in-portal
notice, again at most once a month until one is built."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from reviews.models import IrrExercise
from um_portal.roles import Role, users_with_role

from ..models import Notification

EXERCISE_EVERY = timedelta(days=365)  # "at least yearly" (NCQA UM)
REMIND_EVERY = timedelta(days=30)
MESSAGE = (
    "No inter-rater reliability exercise in the last year: build one under Reliability "
    "(NCQA expects at least one a year)."
)


@transaction.atomic
def irr_reminder_send(*, now=None) -> int:
    """Notices written (0 when an exercise is recent or a reminder went out this month)."""
    now = now or timezone.now()
    if IrrExercise.objects.filter(created_at__gt=now - EXERCISE_EVERY).exists():
        return 0
    admins = list(users_with_role(Role.ADMIN, include_superusers=True))
    recent = set(
        Notification.objects.filter(
            user__in=admins, kind=Notification.Kind.OTHER, message=MESSAGE, created_at__gt=now - REMIND_EVERY
        ).values_list("user_id", flat=True)
    )
    rows = [Notification(user=u, kind=Notification.Kind.OTHER, message=MESSAGE) for u in admins if u.pk not in recent]
    Notification.objects.bulk_create(rows)
    return len(rows)
