"""The at-risk page: open cases overdue or due within a day, soonest first."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from notifications.services.deadline_sweep import deadline_sweep_run
from tests.factories import CoverageFactory, MemberFactory


@pytest.fixture
def va_member(db):
    member = MemberFactory(state="VA")
    CoverageFactory(member=member, state="VA")
    return member


def expedited(make_case, member, hours_ago: float):
    return make_case(
        member=member,
        received_at=timezone.now() - timedelta(hours=hours_ago),
        urgency="expedited",
        start_date=timezone.localdate() + timedelta(days=3),
    )


def test_lists_overdue_and_soon_due_cases_soonest_first(client, nurse, make_case, va_member):
    overdue = expedited(make_case, va_member, hours_ago=80)  # due 8 h ago
    soon = expedited(make_case, va_member, hours_ago=60)  # due in 12 h
    later = make_case(member=va_member, start_date=date.today() + timedelta(days=30))  # 15 days
    deadline_sweep_run()
    client.force_login(nurse)

    response = client.get("/reviews/at-risk/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(overdue.reference) < html.index(soon.reference)
    assert later.reference not in html
    assert html.count("Overdue</span>") == 1  # the escalation flag, on the overdue case only
    assert "overdue by 8 h" in html


def test_query_count_is_fixed(client, nurse, make_case, va_member, django_assert_num_queries):
    for hours_ago in (80, 70, 65, 60):
        expedited(make_case, va_member, hours_ago=hours_ago)
    client.force_login(nurse)

    # 1 session, 2 the user with their groups (role), 3 the cases with their assignee,
    # 4 unread count (nav), 5-7 the session saved on every request (savepoint, update, release)
    with django_assert_num_queries(7):
        response = client.get("/reviews/at-risk/")
    assert response.content.decode().count("<tr class=") == 4


def test_providers_are_refused(client, provider):
    client.force_login(provider)

    assert client.get("/reviews/at-risk/").status_code == 403


def test_keyset_pages(client, nurse, make_case, va_member, monkeypatch):
    monkeypatch.setattr("reviews.views_clocks.PAGE_SIZE", 2)
    cases = [expedited(make_case, va_member, hours_ago=h) for h in (80, 70, 65)]
    client.force_login(nurse)

    first = client.get("/reviews/at-risk/")
    assert first.context["next_cursor"]
    second = client.get("/reviews/at-risk/", {"after": first.context["next_cursor"]})

    assert [c.reference for c in first.context["cases"]] == [cases[0].reference, cases[1].reference]
    assert [c.reference for c in second.context["cases"]] == [cases[2].reference]
    assert second.context["next_cursor"] == ""
