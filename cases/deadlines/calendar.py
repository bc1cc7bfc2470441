"""The plan's business calendar: Monday to Friday minus holidays, in the plan's time zone.

Holidays are the US federal holidays as observed (the `holidays` package) plus whole-day
closures an administrator adds (`PlanClosure`). Shared by the decision clocks (business
days, RULES.md section 1) and phone routing (RULES.md section 6).
"""

from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.conf import settings


def plan_tz() -> ZoneInfo:
    """The plan's time zone (settings.TIME_ZONE): days, business days and office hours are
    counted in it. The one definition; the clocks, phone routing and reports use it."""
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[date, str]:
    """US federal holidays with their observed days (e.g. a Saturday holiday observed Friday)."""
    return dict(holidays_lib.US(years=year, observed=True))


def plan_holidays(start: date, end: date) -> dict[date, str]:
    """Every holiday and whole-day closure from `start` to `end` inclusive, with its name."""
    from .models import PlanClosure

    result: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        result.update({d: n for d, n in federal_holidays(year).items() if start <= d <= end})
    closures = PlanClosure.objects.filter(
        date__range=(start, end), closed_from__isnull=True, counts_as_holiday=True
    ).values_list("date", "name")
    result.update(dict(closures))
    return result


def is_business_day(day: date, holidays: dict[date, str] | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    if holidays is None:
        holidays = plan_holidays(day, day)
    return day not in holidays


def business_days_after(day: date, n: int, holidays) -> date:
    """The Nth business day after `day` (day itself is day 0), given the holidays (any
    container of dates). Pure: the clock engine passes the holidays it loaded once."""
    current, counted = day, 0
    while counted < n:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            counted += 1
    return current


def holiday_window(day: date, days: int = 120) -> tuple[date, date]:
    """A window wide enough for every business-day count the rules use (holidays are
    sparse: n business days always fit in n * 2 + 14 calendar days)."""
    return day, day + timedelta(days=days)


def add_business_days(day: date, n: int) -> date:
    """The Nth business day after `day` (day itself is day 0)."""
    return business_days_after(day, n, plan_holidays(day, day + timedelta(days=n * 2 + 14)))
