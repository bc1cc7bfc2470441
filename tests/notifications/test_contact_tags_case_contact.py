"""The case pages' "who to call about this case" include, and the phone tag for templates."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from notifications.contact.routing import route_inquiry
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
    case.status = "approved"
    html = render(case, SATURDAY_10)
    assert "UMOC Weekend and Holiday Line" not in html
    assert "opens Monday 14 December, 8:30" in html


def test_contact_phone_tag_reads_the_configuration():
    ContactLine.objects.filter(key="umoc").update(phone="800-555-0100")
    html = Template('{% load contact_tags %}{% contact_phone "criteria_copy" %}').render(Context({}))
    assert html == "800-555-0100"


def test_provider_case_page_shows_the_urgent_line_for_an_open_expedited_case(client, provider, make_case):
    from django.urls import reverse

    case = make_case(urgency="expedited", expedited_reason="Risk to life")
    client.force_login(provider)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-contact"' in html
    assert "Questions about this urgent request?" in html
    # Whatever the day: the line routing gives an urgent call now (urgent line on weekdays,
    # the Weekend and Holiday Line on weekends and holidays).
    expected = route_inquiry(inquiry="urgent_authorization")
    assert f'<strong class="route-line">{expected.line.name}</strong>' in html


def test_provider_case_page_shows_the_umoc_line_for_a_standard_case(client, provider, make_case):
    from django.urls import reverse

    case = make_case()
    client.force_login(provider)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Questions about this request?" in html
    assert '<strong class="route-line">UMOC</strong>' in html


def test_reviewer_case_page_shows_the_line_the_provider_is_given(client, nurse, make_case):
    from django.urls import reverse

    case = make_case(urgency="expedited", expedited_reason="Risk to life")
    client.force_login(nurse)
    html = client.get(reverse("reviews:case", args=[case.pk])).content.decode()
    assert "The line the provider is given for this case" in html
    assert 'data-inquiry="urgent_authorization"' in html
