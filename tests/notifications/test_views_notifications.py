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

    # 1 session, 2 user, 3 the notifications with their case, 4 role groups (nav),
    # 5 unread count (nav), 6-8 the session saved on every request (savepoint, update, release)
    with django_assert_num_queries(8):
        client.get("/notifications/")
