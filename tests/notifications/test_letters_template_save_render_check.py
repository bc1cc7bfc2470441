"""Saving a letter template prints it on the synthetic sample case first, as the preview
does: a template that parses but cannot print (an include, a tag failing on real values)
is refused with the reason, in the service and as a form error in the admin, and nothing
is saved."""

import pytest
from django.urls import reverse

from notifications.letters.defaults import default_body
from notifications.models import LetterTemplate
from notifications.services.templates import letter_template_revise
from um_portal.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db

CANNOT_PRINT = [
    ('{% include "other.html" %}', "cannot include other files"),
    ("{% for row in 5 %}{% endfor %}", "not iterable"),
    ("{% widthratio a b c %}", "must be a number"),
]
IDS = ["include", "render", "tag argument"]


def _stored():
    return list(LetterTemplate.objects.order_by("pk").values_list("pk", "version", "body"))


@pytest.mark.parametrize(("body", "detail"), CANNOT_PRINT, ids=IDS)
def test_the_service_refuses_a_template_that_parses_but_cannot_print(body, detail, admin_user):
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        letter_template_revise(kind="denial", title="x", body=default_body("denial") + body, actor=admin_user)

    assert "could not be printed" in refused.value.message
    assert detail in " ".join(refused.value.errors["body"])
    assert _stored() == before


@pytest.mark.parametrize(("body", "detail"), CANNOT_PRINT, ids=IDS)
def test_the_admin_save_shows_the_reason_on_the_body_and_saves_nothing(body, detail, client, admin_user):
    v1 = LetterTemplate.objects.get(kind="approval", version=1)
    client.force_login(admin_user)
    before = _stored()

    response = client.post(
        reverse("admin:notifications_lettertemplate_change", args=[v1.pk]),
        {"title": "Approved", "body": default_body("approval") + body, "note": "broken"},
    )

    assert response.status_code == 200  # the form again, with its error
    assert detail in " ".join(response.context["adminform"].form.errors["body"])
    assert _stored() == before


def test_the_admin_add_form_refuses_it_too(client, admin_user):
    client.force_login(admin_user)
    before = _stored()

    response = client.post(
        reverse("admin:notifications_lettertemplate_add"),
        {"kind": "denial", "title": "x", "body": '{% include "other.html" %}', "note": ""},
    )

    assert response.status_code == 200
    assert "cannot include other files" in " ".join(response.context["adminform"].form.errors["body"])
    assert _stored() == before


def test_a_template_that_prints_is_saved_as_the_next_version(client, admin_user):
    v1 = LetterTemplate.objects.get(kind="approval", version=1)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:notifications_lettertemplate_change", args=[v1.pk]),
        {"title": "Approved", "body": default_body("approval").replace("Good news.", "Good news!"), "note": "ok"},
    )

    assert response.status_code == 302
    assert LetterTemplate.objects.filter(kind="approval").order_by("-version").first().version == 2
