"""Administrators edit letter templates in the admin; every save is a new version and a
letter keeps the version it was rendered with."""

import pytest
from django.urls import reverse

from notifications.letters.defaults import TITLES, default_body
from notifications.models import Letter, LetterTemplate
from notifications.services.letters import letters_generate_for_event

pytestmark = pytest.mark.django_db


def test_every_kind_ships_a_plain_language_version_1():
    shipped = {t.kind: t for t in LetterTemplate.objects.filter(version=1)}
    assert set(shipped) == set(Letter.Kind.values) == set(TITLES)
    assert all("{{" in t.body and t.title for t in shipped.values())


def test_admin_edit_saves_a_new_version_and_old_letters_keep_theirs(client, admin_user, make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")
    old_letter = letters_generate_for_event(event_id=event.pk)[0]
    v1 = LetterTemplate.objects.get(kind="approval", version=1)
    client.force_login(admin_user)

    body = default_body("approval").replace("Good news.", "Good news from your plan.")
    response = client.post(
        reverse("admin:notifications_lettertemplate_change", args=[v1.pk]),
        {"title": "Your request is approved", "body": body, "note": "Friendlier opening"},
    )

    assert response.status_code == 302
    v1.refresh_from_db()
    assert "Good news from your plan." not in v1.body
    v2 = LetterTemplate.objects.get(kind="approval", version=2)
    assert v2.created_by == admin_user and "Good news from your plan." in v2.body
    old_letter.refresh_from_db()
    assert old_letter.template == v1

    case2 = make_case()
    _, event2 = decide(case2, "approved", basis="")
    assert letters_generate_for_event(event_id=event2.pk)[0].template == v2


def test_admin_refuses_a_template_with_a_syntax_error(client, admin_user):
    client.force_login(admin_user)
    v1 = LetterTemplate.objects.get(kind="denial", version=1)

    response = client.post(
        reverse("admin:notifications_lettertemplate_change", args=[v1.pk]),
        {"title": "x", "body": "{% if reason %}unclosed", "note": ""},
    )

    assert response.status_code == 200
    assert b"Unclosed tag" in response.content
    assert LetterTemplate.objects.filter(kind="denial").count() == 1
