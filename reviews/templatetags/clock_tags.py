"""Time left before a deadline, in plain words and a colour class, for queues and case pages."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()

SOON_SECONDS = 24 * 3600  # Under a day left reads as "soon" (amber).


def _plain(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        text = f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    elif hours:
        text = f"{hours} h {mins} min"
    else:
        text = f"{mins} min"
    return text


@register.filter
def time_left(due: datetime | None, now: datetime | None = None) -> str:
    """ "2 days 3 h left", "40 min left", "overdue by 5 h"."""
    if due is None:
        return ""
    seconds = (due - (now or timezone.now())).total_seconds()
    if seconds < 0:
        return f"overdue by {_plain(seconds)}"
    return f"{_plain(seconds)} left"


@register.filter
def due_class(due: datetime | None, now: datetime | None = None) -> str:
    """CSS class: due-ok (green), due-soon (amber, under a day), due-over (red)."""
    if due is None:
        return ""
    seconds = (due - (now or timezone.now())).total_seconds()
    if seconds < 0:
        return "due-over"
    if seconds < SOON_SECONDS:
        return "due-soon"
    return "due-ok"


@register.filter
def iso_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 string (as stored in a case's `clocks`) as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
