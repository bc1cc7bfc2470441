"""The fax cover sheet of a letter sent by fax (issue 18, item 3). It names the office, the
case reference and the page count, and nothing else about the case: no member name,
number or date of birth, no service or diagnosis, not even the kind of letter (the cover
is the page a wrong recipient or a shared fax tray shows first)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from um_portal import timefmt

from ..letters.phones import letter_phones
from ..letters.render import html_to_pdf
from ..models import LetterDelivery


def fax_cover_context(*, delivery: LetterDelivery) -> dict:
    letter = delivery.letter
    case = letter.case
    numbers = letter_phones()
    to = case.requesting_organization if letter.recipient == "requesting_provider" else case.servicing_organization
    return {
        "plan_name": settings.PLAN_NAME,
        "um_phone": numbers.get("um", ""),
        "plan_fax": numbers.get("fax", ""),
        "to_name": to.name,
        "to_fax": delivery.destination,
        "sent_date": timefmt.day(timezone.now()),
        "reference": case.reference,
        "pages": (letter.page_count or 0) + 1,
    }


def fax_cover_sheet_pdf(*, delivery: LetterDelivery) -> bytes:
    markup = render_to_string("notifications/letters/fax_cover.html", fax_cover_context(delivery=delivery))
    pdf, _pages = html_to_pdf(markup)
    return pdf
