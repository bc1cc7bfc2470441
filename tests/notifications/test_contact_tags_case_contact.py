"""The case pages' "who to call about this case" include, and the phone tag for templates."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from notifications.models import ContactLine

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
TUESDAY_10 = datetime(2026, 12, 8, 10, tzinfo=NY)
SATURDAY_10 = datetime(2026, 12, 12, 10, tzinfo=NY)


def render(case, at):
    template = Template("{% load contact_tags %}{% case_contact case at %}")
    return template.render(Context({"case": case, "at": at}))


def test_standard_case_shows_the_umoc_line(make_case):
    case = make_case()
    html = render(case, TUESDAY_10)
    assert "UMOC" in html and "800-810-4766" in html and "Open now" in html
    assert "urgent" not in html


def test_urgent_case_on_a_weekday_shows_the_urgent_line(make_case):
    case = make_case(urgency="expedited", expedited_reason="Risk to life")
    html = render(case, TUESDAY_10)
    assert "UMOC urgent pre-service" in html
    assert "Questions about this urgent request?" in html


def test_urgent_case_on_saturday_shows_the_weekend_line(make_case):
    case = make_case(urgency="expedited", expedited_reason="Risk to life")
    html = render(case, SATURDAY_10)
    assert "UMOC Weekend and Holiday Line" in html and "301-960-1436" in html


def test_decided_urgent_case_goes_back_to_the_status_line(make_case):
    case = make_case(urgency="expedited", expedited_reason="Risk to life")
    case.decided_at = TUESDAY_10
    html = render(case, SATURDAY_10)
    assert "UMOC Weekend and Holiday Line" not in html
    assert "opens Monday 14 December, 8:30" in html


def test_contact_phone_tag_reads_the_configuration():
    ContactLine.objects.filter(key="umoc").update(phone="800-555-0100")
    html = Template('{% load contact_tags %}{% contact_phone "criteria_copy" %}').render(Context({}))
    assert html == "800-555-0100"
