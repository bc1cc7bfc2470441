"""Letter templates cannot read server files or fetch URLs (issue 12, item 2).

The attack: a template holding `<link rel="attachment" href="file:///proc/self/environ">`
produced a provider letter with the server's environment attached. WeasyPrint now fetches
through a URL fetcher that serves only the project's own static files, and template HTML
is sanitized to the letters' tags and attributes when it is saved."""

import io
import uuid

import pytest
from pypdf import PdfReader

from notifications.letters.defaults import TITLES, default_body
from notifications.letters.fetcher import ASSET_BASE_URL, letter_url_fetcher
from notifications.letters.render import html_to_pdf
from notifications.letters.sanitize import letter_html_sanitize
from notifications.models import Letter, LetterTemplate
from notifications.services.letters import letters_generate_for_event
from notifications.services.templates import letter_template_revise

pytestmark = pytest.mark.django_db

ATTACK = (
    '<link rel="attachment" href="file:///proc/self/environ">'
    '<img src="file:///etc/hostname"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    '<img src="https://example.invalid/pixel.png" onerror="x()"><iframe src="file:///etc/passwd"></iframe>'
    "<script>document.write('x')</script><style>@import url(file:///etc/passwd);</style>"
)


@pytest.fixture
def canary(monkeypatch):
    value = f"canary-{uuid.uuid4().hex}"
    monkeypatch.setenv("UM_LETTER_CANARY", value)
    return value


def _read_back(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() or "" for page in reader.pages)


def _issued_letter(make_case, decide) -> Letter:
    case = make_case()
    _, event = decide(case, "approved", basis="")
    letter = letters_generate_for_event(event_id=event.pk)[0]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ISSUED, letter.missing
    return letter


def test_a_template_row_with_a_file_attachment_link_renders_a_pdf_without_the_environment(make_case, decide, canary):
    # Given a template row that holds the attack (written straight to the table, as one
    # saved before sanitizing existed would be)
    latest = LetterTemplate.objects.filter(kind="approval").order_by("-version").first()
    LetterTemplate.objects.create(
        kind="approval", version=latest.version + 1, title=TITLES["approval"], body=default_body("approval") + ATTACK
    )

    # When a letter is issued with it
    letter = _issued_letter(make_case, decide)

    # Then the PDF has no attachment and nothing of the environment or the files
    pdf = letter.pdf.read()
    reader, text = _read_back(pdf)
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in pdf
    assert canary not in text and canary.encode() not in pdf
    assert "Your request is approved" in text


def test_a_string_literal_marked_safe_cannot_smuggle_the_link_past_the_sanitizer(make_case, decide, canary):
    # Given a saved template whose markup arrives through a template string literal
    body = default_body("approval") + '{{ \'<link rel="attachment" href="file:///proc/self/environ">\'|safe }}'
    letter_template_revise(kind="approval", title=TITLES["approval"], body=body, note="attack")

    letter = _issued_letter(make_case, decide)

    reader, text = _read_back(letter.pdf.read())
    assert reader.attachments == {}
    assert canary not in text


def test_html_to_pdf_refuses_file_and_network_urls_whatever_the_markup(canary):
    pdf, _pages = html_to_pdf(f"<html><body><p>Hello</p>{ATTACK}</body></html>")

    reader, text = _read_back(pdf)
    assert reader.attachments == {}
    assert canary not in text and "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///proc/self/environ",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.invalid/x.png",
        "ftp://example.invalid/x",
        "data:text/plain,hello",
        f"{ASSET_BASE_URL}../../../../etc/passwd",
        f"{ASSET_BASE_URL}%2e%2e/%2e%2e/etc/passwd",
        f"{ASSET_BASE_URL}does-not-exist.png",
        "https://letter-assets.invalid.attacker.example/static/portal.css",
    ],
)
def test_the_url_fetcher_refuses_everything_but_the_projects_static_files(url):
    with pytest.raises(ValueError):
        letter_url_fetcher.fetch(url)


def test_the_url_fetcher_serves_the_projects_static_files():
    response = letter_url_fetcher.fetch(f"{ASSET_BASE_URL}favicon.svg")

    assert b"<svg" in response.read()
    assert response.content_type == "image/svg+xml"


def test_saving_a_template_removes_what_letters_do_not_use_and_keeps_template_tags():
    body = (
        '<p class="legal" onclick="x()">Dear {{ recipient_name }},</p>'
        "<table>{% for s in services %}<tr><td>{{ s.code }}</td></tr>{% endfor %}</table>"
        '{% if reason %}<p>{{ reason|default:"a & b" }}</p>{% endif %}' + ATTACK
    )

    saved = letter_template_revise(kind="denial", title="x", body=body, note="")

    for gone in ("<link", "<img", "<iframe", "<script", "<style", "onclick", "file:", "http:", "https:"):
        assert gone not in saved.body
    for kept in ('<p class="legal">', "{% if reason %}", '{{ reason|default:"a & b" }}', "{% endif %}"):
        assert kept in saved.body
    # The loop stays inside the table (text there would be moved before it by an HTML parser)
    assert saved.body.index("<table>") < saved.body.index("{% for s in services %}") < saved.body.index("<tr>")
    assert saved.body.index("{% endfor %}") < saved.body.index("</table>")


@pytest.mark.parametrize("kind", sorted(TITLES))
def test_every_shipped_template_survives_sanitizing(kind):
    from notifications.letters.content import html_text

    body = default_body(kind)

    clean = letter_html_sanitize(body, template=True)

    assert html_text(clean) == html_text(body)
    assert clean.count("{%") == body.count("{%") and clean.count("{{") == body.count("{{")
