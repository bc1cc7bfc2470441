"""One way to show time (issue 22, item 6): every date and time a person reads, on pages,
in messages and notices, in the plan's time zone (settings.TIME_ZONE) with its label.

    when(dt)  -> "Mon 7 Dec 2026, 2:30 PM ET"
    day(d)    -> "Mon 7 Dec 2026"

Templates use the `when` and `day` filters (um_portal/templatetags/time_tags.py); Python
messages call these functions. Machine values (form inputs, API fields, CSV) keep ISO 8601.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# The label people know the plan's zone by, for the zones of US health plans; any other
# zone prints its own abbreviation (EST/EDT style).
ZONE_LABELS = {
    "America/New_York": "ET",
    "America/Detroit": "ET",
    "America/Chicago": "CT",
    "America/Denver": "MT",
    "America/Phoenix": "MT",
    "America/Los_Angeles": "PT",
    "America/Anchorage": "AKT",
    "Pacific/Honolulu": "HT",
}


def _local(value: datetime) -> datetime:
    if timezone.is_naive(value):
        raise ValueError("Naive datetime: aware datetimes only (STYLE.md).")
    return value.astimezone(ZoneInfo(settings.TIME_ZONE))


def zone_label(value: datetime | None = None) -> str:
    label = ZONE_LABELS.get(settings.TIME_ZONE)
    if label:
        return label
    return _local(value or timezone.now()).strftime("%Z")


# English names, as strftime's %a, %b and %p write them in the C locale the portal runs in,
# without a strftime call each: a queue page formats a hundred times (issue #13: 7.6 us each).
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(value: date) -> str:
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def day(value: date | datetime | None) -> str:
    """The calendar day in the plan's zone: "Mon 7 Dec 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _day(value)


def when(value: datetime | None) -> str:
    """A moment in the plan's zone with its label: "Mon 7 Dec 2026, 2:30 PM ET"."""
    if value is None:
        return ""
    local = _local(value)
    hour = local.hour % 12 or 12
    return f"{_day(local)}, {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'} {zone_label(value)}"
