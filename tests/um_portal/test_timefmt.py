"""One way to show time (issue 22, item 6): the plan's zone with its label, across DST and
midnight, on pages and in messages; status codes never shown."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from tests.cases.conftest import decided, pended  # noqa: F401 - fixtures
from um_portal.timefmt import day, when


def test_when_is_in_the_plans_zone_with_its_label_on_both_sides_of_dst():
    assert when(datetime(2026, 3, 8, 6, 59, tzinfo=UTC)) == "Sun 8 Mar 2026, 1:59 AM ET"  # EST
    assert when(datetime(2026, 3, 8, 7, 0, tzinfo=UTC)) == "Sun 8 Mar 2026, 3:00 AM ET"  # EDT
    assert when(datetime(2026, 11, 30, 17, 5, tzinfo=UTC)) == "Mon 30 Nov 2026, 12:05 PM ET"


def test_when_writes_what_strftime_writes_every_hour_of_a_year():
    # Names written from tables (issue #13): the same text as strftime's %a, %b, %p, with
    # the day and the hour unpadded, at midnight, noon and every hour between, all year.
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    start = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    for hours in range(0, 365 * 24, 7):
        moment = start + timedelta(hours=hours, minutes=hours % 60)
        local = moment.astimezone(zone)
        expected = f"{local:%a} {local.day} {local:%b %Y}, {local.hour % 12 or 12}:{local:%M} {local:%p} ET"
        assert when(moment) == expected, moment
        assert day(moment) == f"{local:%a} {local.day} {local:%b %Y}"


def test_day_of_a_moment_is_the_plans_calendar_day_not_utcs():
    assert day(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "Mon 30 Nov 2026"
    assert day(date(2026, 12, 7)) == "Mon 7 Dec 2026"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        when(datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001 - the point of the test


@pytest.mark.django_db
def test_timelines_show_status_words_never_codes(client, make_case, nurse, provider, pended):  # noqa: F811
    case = make_case()
    pended(case)

    client.force_login(nurse)
    review = client.get(reverse("reviews:case", args=[case.pk])).content.decode()
    client.force_login(provider)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    for html in (review, detail):
        timeline = html[html.index('id="timeline"') :] if 'id="timeline"' in html else html
        assert "Pended for information" in timeline
        assert "→ pended" not in timeline and "received →" not in timeline


@pytest.mark.django_db
def test_appeal_confirmation_says_the_due_time_in_the_plans_zone(client, make_case, provider, decided):  # noqa: F811
    case = make_case()
    decided(case)
    client.force_login(provider)

    response = client.post(reverse("cases:appeal", args=[case.pk]), {"reason": "New records."}, follow=True)

    text = response.content.decode()
    assert "Appeal filed; a decision is due by" in text and " ET." in text
    assert "UTC" not in text and (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d") not in text
