"""The navigation (templates/_nav.html) is rendered once per process and role, around the
unread count, which stays each user's own (issue #13): the cached parts never carry one
role's links to another, nor one person's count to the next."""

import re

import pytest
from django.core.cache import caches

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _nav(client, user) -> str:
    client.force_login(user)
    html = client.get("/notifications/").content.decode()
    return html[html.index('<nav class="mainnav"') : html.index("</nav>")]


def _links(nav: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', nav)


@pytest.fixture(autouse=True)
def fragments_afresh():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def test_each_role_gets_its_own_links_once_the_parts_are_cached(client, nurse, physician, provider):
    first = {user.username: _links(_nav(client, user)) for user in (nurse, physician, provider)}
    # Read again, now from the cache: the same links, each role its own
    again = {user.username: _links(_nav(client, user)) for user in (nurse, physician, provider)}

    assert again == first
    assert "/reviews/queue/" in first[nurse.username] and "/reviews/physician/" not in first[nurse.username]
    assert "/reviews/physician/" in first[physician.username]
    assert "/reviews/queue/" not in first[provider.username] and "/cases/" in first[provider.username]
    assert len(caches["fragments"]._cache) == 6  # two parts for each of the three roles


def test_the_unread_count_is_each_users_own(client, nurse, nurse2):
    for i in range(3):
        Notification.objects.create(user=nurse, kind="deadline_50", message=f"UM-2026-00000{i}: half time.")

    mine = _nav(client, nurse)
    theirs = _nav(client, nurse2)

    assert '<span class="badge" id="unread-count">3</span>' in mine
    assert 'id="unread-count"' not in theirs
    assert _links(mine) == _links(theirs)
