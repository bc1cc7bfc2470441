"""Letter templates: administrators edit them; every edit is a new version."""

from django.db import IntegrityError, transaction
from django.template import Engine, TemplateSyntaxError

from um_portal.exceptions import Conflict, ValidationFailed

from ..letters.sanitize import letter_html_sanitize
from ..models import Letter, LetterTemplate


def letter_template_check(*, body: str) -> None:
    try:
        Engine(autoescape=True).from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationFailed("The letter template has a syntax error.", errors={"body": [str(exc)]}) from exc


@transaction.atomic
def letter_template_revise(*, kind: str, title: str, body: str, note: str = "", actor=None) -> LetterTemplate:
    """Save a new version of `kind`'s template; earlier versions stay as letters used them.
    The body is saved sanitized to the tags and attributes letters use (issue 12, item 2)."""
    if kind not in Letter.Kind.values:
        raise ValidationFailed("Unknown letter kind.", errors={"kind": [f"{kind} is not a letter kind."]})
    body = letter_html_sanitize(body, template=True)
    letter_template_check(body=body)
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
