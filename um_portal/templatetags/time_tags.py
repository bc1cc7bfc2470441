"""`{{ value|when }}` and `{{ value|day }}`: the one time formatter (um_portal/timefmt.py)."""

from datetime import date, datetime

from django import template

from um_portal import timefmt

register = template.Library()


@register.filter
def when(value):
    if isinstance(value, datetime):
        return timefmt.when(value)
    if isinstance(value, date):
        return timefmt.day(value)
    return value or ""


@register.filter
def day(value):
    if isinstance(value, date):
        return timefmt.day(value)
    return value or ""
