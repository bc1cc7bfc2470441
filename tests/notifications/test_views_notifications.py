"""The notifications list, the unread count in the navigation, marking read."""

from notifications.models import Notification


def notify(user, n: int = 1, **kwargs):
    return [
        Notification.objects.create(user=user, kind="deadline_50", message=f"UM-2026-00000{i}: half time.", **kwargs)
        for i in range(n)
    ]


def test_list_shows_own_notifications_and_unread_count(client, nurse, nurse2):
    notify(nurse, 3)
    notify(nurse2, 1)
    client.force_login(nurse)

    response = client.get("/notifications/")

    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["notifications"]) == 3
    assert '<span class="badge" id="unread-count">3</span>' in html


def test_mark_one_read_and_all_read(client, nurse):
    first, second, third = notify(nurse, 3)
    client.force_login(nurse)

    client.post(f"/notifications/{first.pk}/read/")
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(user=nurse, read_at__isnull=True).count() == 2

    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=nurse, read_at__isnull=True).exists()
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()


def test_cannot_mark_someone_elses_notification_read(client, nurse, nurse2):
    (theirs,) = notify(nurse2)
    client.force_login(nurse)

    response = client.post(f"/notifications/{theirs.pk}/read/")

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_query_count_is_fixed(client, nurse, django_assert_num_queries):
    notify(nurse, 5)
    client.force_login(nurse)

    # 1 session, 2 the user with their groups (role, for the nav), 3 the notifications with
    # their case, 4 unread count (nav), 5-7 the session saved on every request (savepoint,
    # update, release)
    with django_assert_num_queries(7):
        client.get("/notifications/")


def test_notices_are_grouped_by_case_link_to_it_and_opening_the_case_marks_them_read(client, nurse, make_case):
    """Issue 22, item 4."""
    first, second = make_case(), make_case()
    for case, kind in ((first, "deadline_50"), (second, "deadline_50"), (first, "deadline_75")):
        Notification.objects.create(user=nurse, kind=kind, case=case, message=f"{case.reference}: {kind}")
    client.force_login(nurse)

    html = client.get("/notifications/").content.decode()

    group = html[html.index(f'id="notices-{first.pk}"') :]
    group = group[: group.index("</section>")]
    assert group.count("<li") == 2 and "2 new" in group
    assert f'href="/reviews/cases/{first.pk}/"' in group
    client.get(f"/reviews/cases/{first.pk}/")
    unread = set(Notification.objects.filter(user=nurse, read_at__isnull=True).values_list("case_id", flat=True))
    assert unread == {second.pk}


def test_a_provider_notice_links_to_the_request_page_and_reading_it_marks_it_read(client, provider, make_case):
    case = make_case()
    Notification.objects.create(user=provider, kind="decision_made", case=case, message=f"{case.reference}: decided")
    client.force_login(provider)

    html = client.get("/notifications/").content.decode()
    client.get(f"/cases/{case.pk}/")

    assert f'href="/cases/{case.pk}/"' in html
    assert not Notification.objects.filter(user=provider, read_at__isnull=True).exists()
