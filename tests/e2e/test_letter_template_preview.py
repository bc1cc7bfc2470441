"""An administrator previews a letter template on a sample case before saving (issue 22,
item 8): edit the text in the admin, press "Preview on a sample case", read the PDF of the
unsaved text; a broken template answers a plain message; nothing is saved either way."""

import io

import pytest
from pypdf import PdfReader

from notifications.letters.render import template_current
from notifications.models import LetterTemplate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _text(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


def test_admin_previews_unsaved_template_text(page, live_server, login, screenshot, admin_user):
    template = template_current(kind="approval")
    login(admin_user.username)
    page.goto(f"{live_server.url}/admin/notifications/lettertemplate/{template.pk}/change/")
    body = page.input_value("#id_body")
    page.fill("#id_body", body.replace("Good news.", "Good news, in a preview."))
    screenshot("letter-template-preview-form")

    with page.context.expect_event("response", lambda r: r.url.endswith("/preview/")) as answered:
        page.click("#letter-preview")
    response = answered.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    # Chromium shows the PDF in its viewer, whose page replaces the body Playwright reads:
    # send the same form again from the signed-in browser context to read the PDF itself.
    form = {
        "csrfmiddlewaretoken": page.input_value("input[name=csrfmiddlewaretoken]"),
        "preview_kind": page.input_value("input[name=preview_kind]"),
        "title": page.input_value("#id_title"),
        "body": page.input_value("#id_body"),
    }
    again = page.request.post(response.url, form=form)
    assert again.headers["content-type"] == "application/pdf"
    text = " ".join(_text(again.body()).split())
    assert "Preview on a synthetic sample case" in text and "Good news, in a preview." in text
    assert "UM-SAMPLE-0001" in text

    # A broken template: the new tab says why, plainly.
    page.fill("#id_body", "{% if reason %}never closed")
    with page.context.expect_page() as opened:
        page.click("#letter-preview")
    error_tab = opened.value
    error_tab.wait_for_load_state()
    assert "syntax error" in error_tab.locator("#preview-error").inner_text()
    error_tab.screenshot(path=_artifact("letter-template-preview-error"), full_page=True)

    # The form still holds the unsaved text, and nothing was saved.
    assert page.input_value("#id_body") == "{% if reason %}never closed"
    assert list(LetterTemplate.objects.filter(kind="approval").values_list("version", flat=True)) == [template.version]


def _artifact(name: str) -> str:
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")
