"""Previewing a letter template on a synthetic sample case before saving it (issue 22,
item 8): the unsaved text printed through the letter rendering service to a PDF, nothing
written, a template that cannot print said plainly (400), never a 500."""

import pytest
from django.urls import reverse

from notifications.letters.context import letter_context
from notifications.letters.defaults import default_body
from notifications.letters.sample import sample_context
from notifications.models import Letter, LetterTemplate
from notifications.services.letters import letters_plan_for_event
from notifications.services.templates import letter_template_preview
from um_portal.exceptions import ValidationFailed

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db

PREVIEW_URL = "admin:notifications_lettertemplate_preview"


def _stored():
    return list(LetterTemplate.objects.order_by("pk").values_list("pk", "version", "body")), Letter.objects.count()


@pytest.mark.parametrize("kind", Letter.Kind.values)
def test_every_shipped_template_previews_with_every_required_element(kind):
    before = _stored()

    preview = letter_template_preview(kind=kind, title="Sample title", body=default_body(kind))

    text = squash(pdf_text(preview.pdf))
    assert preview.missing == [] and preview.pages >= 1
    assert squash("Preview on a synthetic sample case: not saved, not sent.") in text
    assert squash("UM-SAMPLE-0001") in text and squash("Sample title") in text
    assert _stored() == before


def test_the_sample_has_every_key_a_real_letter_has(make_case, decide, pend_case):
    case = make_case()
    _, decided = decide(case, "denied", reason="Not medically necessary now.")
    other = make_case()
    _, pended = pend_case(other)
    for event in (decided, pended):
        for letter in letters_plan_for_event(event=event):
            real = letter_context(letter)
            assert set(real) <= set(sample_context(kind=letter.kind)), letter.kind


def test_a_template_that_drops_a_required_element_says_it_would_be_held():
    body = default_body("request_for_information").replace("{{ fax_number }}", "")

    preview = letter_template_preview(kind="request_for_information", title="", body=body)

    assert preview.missing == ["fax number for the records"]
    assert squash("This template would be held: it does not print fax number for the records.") in squash(
        pdf_text(preview.pdf)
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("{% if reason %}unclosed", "Unclosed tag"),
        ('{% include "other.html" %}', "cannot include other files"),
        ("{% for row in 5 %}{% endfor %}", "not iterable"),
        ("{% widthratio a b c %}", "must be a number"),
    ],
    ids=["syntax", "include", "render", "tag argument"],
)
def test_a_template_that_cannot_print_is_refused_with_the_reason(body, detail):
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        letter_template_preview(kind="denial", title="x", body=body)

    assert detail in " ".join(refused.value.errors["body"]) and _stored() == before


def test_admin_preview_answers_the_pdf_of_the_unsaved_text(client, admin_user):
    v1 = LetterTemplate.objects.get(kind="approval", version=1)
    body = default_body("approval").replace("Good news.", "Good news, previewed.")
    client.force_login(admin_user)
    before = _stored()

    form = client.get(reverse("admin:notifications_lettertemplate_change", args=[v1.pk])).content.decode()
    response = client.post(reverse(PREVIEW_URL), {"preview_kind": "approval", "title": "Approved", "body": body})

    assert 'id="letter-preview"' in form and 'name="preview_kind" value="approval"' in form
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert squash("Good news, previewed.") in squash(pdf_text(response.content))
    assert _stored() == before


def test_admin_preview_of_a_broken_template_is_a_400_with_the_message(client, admin_user):
    client.force_login(admin_user)
    before = _stored()

    response = client.post(reverse(PREVIEW_URL), {"kind": "denial", "title": "x", "body": "{% if reason %}oops"})

    page = response.content.decode()
    assert response.status_code == 400 and 'id="preview-error"' in page
    assert "The letter template has a syntax error." in page and "Unclosed tag" in page
    assert _stored() == before


def test_admin_preview_refuses_get_an_unknown_kind_and_non_administrators(client, admin_user, nurse, provider):
    client.force_login(admin_user)
    assert client.get(reverse(PREVIEW_URL)).status_code == 405
    unknown = client.post(reverse(PREVIEW_URL), {"kind": "", "body": "x"})
    assert unknown.status_code == 400 and "Choose the kind of letter" in unknown.content.decode()

    for user in (nurse, provider):
        client.force_login(user)
        response = client.post(reverse(PREVIEW_URL), {"kind": "approval", "body": "x"})
        assert response.status_code == 302 and "/login/" in response["Location"]
