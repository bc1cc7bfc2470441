"""Letters to HTML and PDF: the administrator-edited body inside the fixed letterhead layout,
printed by WeasyPrint on US letter paper with the case reference and page numbers on every page."""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine, Template
from django.template.loader import render_to_string

from ..models import LetterTemplate
from .content import html_text
from .fetcher import ASSET_BASE_URL, letter_url_fetcher
from .sanitize import letter_html_sanitize

CSS_PATH = Path(__file__).with_name("letter.css")


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(string=CSS_PATH.read_text(encoding="utf-8"), base_url=ASSET_BASE_URL, url_fetcher=letter_url_fetcher)


@lru_cache(maxsize=64)
def _compiled(template_id: int, body: str) -> Template:
    # Letter bodies get the default engine's built-ins only (no custom tags, no includes of files).
    return Engine(autoescape=True).from_string(body)


def template_current(*, kind: str) -> LetterTemplate:
    """The newest version of `kind`'s template; the shipped default if there is none yet."""
    template = LetterTemplate.objects.filter(kind=kind).order_by("-version").first()
    if template is None:
        from .defaults import TITLES, default_body

        template, _ = LetterTemplate.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={"title": TITLES[kind], "body": default_body(kind), "note": "Shipped default."},
        )
    return template


def letter_html(*, template: LetterTemplate, context: dict) -> tuple[str, str]:
    """The full HTML of the letter and its visible text (for the required-content check)."""
    body = _compiled(template.pk, template.body).render(Context(context, autoescape=True))
    # Again after rendering: a template can still produce markup (a literal marked |safe).
    body = letter_html_sanitize(body)
    page = render_to_string("notifications/letters/layout.html", {**context, "title": template.title, "body": body})
    return page, html_text(page)


def html_to_pdf(markup: str) -> tuple[bytes, int]:
    """The PDF and its number of pages. Whatever `markup` references, only the project's own
    static files are loaded (letters/fetcher.py): no file, no network."""
    from weasyprint import HTML

    document = HTML(string=markup, base_url=ASSET_BASE_URL, url_fetcher=letter_url_fetcher).render(
        stylesheets=[_stylesheet()]
    )
    return document.write_pdf(), len(document.pages)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
