"""Letter templates: administrators edit them; every edit is a new version; a template is
previewed on a sample case before it is saved, and a save prints it on that sample case
first (the preview's render check), so a template that cannot print is never saved."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.template import Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils.html import escape

from um_portal.exceptions import Conflict, ValidationFailed

from ..letters.content import content_missing
from ..letters.render import html_to_pdf, letter_html
from ..letters.sample import sample_context
from ..letters.sanitize import letter_html_sanitize
from ..models import Letter, LetterTemplate

log = logging.getLogger(__name__)


def letter_template_check(*, body: str) -> None:
    try:
        Engine(autoescape=True).from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationFailed("The letter template has a syntax error.", errors={"body": [str(exc)]}) from exc


@dataclass(frozen=True)
class TemplateRendered:
    markup: str
    text: str
    context: dict


def letter_template_render_check(*, kind: str, title: str, body: str, now: datetime | None = None) -> TemplateRendered:
    """Print a (sanitized) template body on the synthetic sample case, as a letter would be:
    the check a save and the preview share, so a template that parses but cannot print (an
    include, a filter or tag failing on real values) is refused now, not in the worker.
    ValidationFailed with the reason on `body`; writes nothing."""
    letter_template_check(body=body)
    template = LetterTemplate(kind=kind, version=0, title=(title or "").strip() or Letter.Kind(kind).label, body=body)
    context = sample_context(kind=kind, now=now)
    try:
        markup, text = letter_html(template=template, context=context)
    except Exception as exc:  # noqa: BLE001 - an administrator's template may fail in any way; say so
        log.info("Letter template render check failed: %s", type(exc).__name__)
        detail = str(exc)
        if isinstance(exc, TemplateDoesNotExist):
            detail = f"Letter templates cannot include other files (it includes {detail!r})."
        raise ValidationFailed(
            "The letter template could not be printed on the sample case.", errors={"body": [detail]}
        ) from exc
    return TemplateRendered(markup=markup, text=text, context=context)


@transaction.atomic
def letter_template_revise(*, kind: str, title: str, body: str, note: str = "", actor=None) -> LetterTemplate:
    """Save a new version of `kind`'s template; earlier versions stay as letters used them.
    The body is saved sanitized to the tags and attributes letters use (issue 12, item 2)."""
    if kind not in Letter.Kind.values:
        raise ValidationFailed("Unknown letter kind.", errors={"kind": [f"{kind} is not a letter kind."]})
    body = letter_html_sanitize(body, template=True)
    letter_template_render_check(kind=kind, title=title, body=body)
    latest = LetterTemplate.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    try:
        with transaction.atomic():
            return LetterTemplate.objects.create(
                kind=kind,
                version=(latest.version + 1) if latest else 1,
                title=title,
                body=body,
                note=note,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise Conflict("Someone saved this template at the same moment. Reload and try again.") from exc


@dataclass(frozen=True)
class TemplatePreview:
    pdf: bytes
    pages: int
    missing: list[str]  # required elements this template would not print: the letter would be held


def letter_template_preview(*, kind: str, title: str, body: str, now: datetime | None = None) -> TemplatePreview:
    """Render an unsaved template on a synthetic sample case to a PDF (issue 22, item 8),
    through the same path a letter takes (sanitized as a save would, the letterhead layout,
    WeasyPrint), with a banner saying it is a preview and which required elements it would
    not print. Writes nothing. A template that cannot be printed is a ValidationFailed with
    the reason, never a 500."""
    if kind not in Letter.Kind.values:
        raise ValidationFailed("Choose the kind of letter to preview.", errors={"kind": ["Unknown letter kind."]})
    rendered = letter_template_render_check(
        kind=kind, title=title, body=letter_html_sanitize(body or "", template=True), now=now
    )
    markup, text, context = rendered.markup, rendered.text, rendered.context
    missing = content_missing(kind, context, text)
    banner = "Preview on a synthetic sample case: not saved, not sent."
    if missing:
        banner += " This template would be held: it does not print " + ", ".join(missing) + "."
    markup = markup.replace(
        "<body>",
        '<body><div style="border:2px solid #a00;color:#a00;padding:4pt;margin-bottom:6pt;font-weight:bold">'
        f"{escape(banner)}</div>",
        1,
    )
    pdf, pages = html_to_pdf(markup)
    return TemplatePreview(pdf=pdf, pages=pages, missing=missing)
