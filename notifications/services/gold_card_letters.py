"""Gold-card letters: written from the gold-card events (automation), once per event, with
the figures, the thresholds and, for a revocation, the date it takes effect."""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from automation.models import GoldCardEvent
from cases.models import ServiceCategory
from um_portal.exceptions import NotFound

from ..letters.render import html_to_pdf, sha256_hex
from ..models import GoldCardLetter

Kind = GoldCardEvent.Kind
TITLES = {
    Kind.GRANTED: "Your gold card is granted",
    Kind.REVOCATION_NOTICED: "Notice: your gold card will be revoked",
    Kind.REVOKED: "Your gold card has ended",
    Kind.NOTICE_WITHDRAWN: "Your gold card continues: the revocation notice is withdrawn",
}


def gold_card_letter_issue(*, event_id: int) -> GoldCardLetter:
    """Plan (unique per event) and render the letter. Safe to run any number of times."""
    event = GoldCardEvent.objects.select_related("organization", "policy").filter(pk=event_id).first()
    if event is None:
        raise NotFound(f"No gold-card event {event_id}.")
    letter = GoldCardLetter.objects.filter(event=event).first()
    if letter is None:
        try:
            with transaction.atomic():
                letter = GoldCardLetter.objects.create(
                    organization=event.organization, event=event, title=TITLES[event.kind], body=""
                )
        except IntegrityError:
            letter = GoldCardLetter.objects.get(event=event)
    with transaction.atomic():
        claimed = GoldCardLetter.objects.select_for_update().get(pk=letter.pk)
        if claimed.issued_at is not None:
            return claimed
        context = {
            "event": event,
            "title": claimed.title,
            "organization": event.organization,
            "group": ServiceCategory(event.code_group).label
            if event.code_group in ServiceCategory.values
            else event.code_group,
            "policy": event.policy,
            "today": timezone.localdate(),
        }
        markup = render_to_string("notifications/letters/gold_card.html", context)
        pdf, _pages = html_to_pdf(markup)
        claimed.body = render_to_string("notifications/letters/gold_card.txt", context).strip()
        claimed.pdf.save(f"{claimed.pk}.pdf", ContentFile(pdf), save=False)
        claimed.sha256 = sha256_hex(pdf)
        claimed.issued_at = timezone.now()
        claimed.save(update_fields=["body", "pdf", "sha256", "issued_at"])
        return claimed
