"""Delivering issued letters: the e-mail notice and the operations mail/fax queue."""

import csv
import io

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import LetterDelivery

# No PHI: not the member, not the service, not even the case reference. Only that a letter
# is waiting behind a login.
EMAIL_SUBJECT = "A new letter is ready in the UM Portal"
EMAIL_BODY = (
    "A new letter from {plan} is ready for your organization in the UM Portal.\n\n"
    "Sign in to the portal to read and download it.\n\n"
    "This message was sent automatically; please do not reply."
)


def letter_email_notice_send(*, delivery_id: int) -> bool:
    """Send the 'a letter is ready' e-mail once (claimed by a conditional update)."""
    with transaction.atomic():
        claimed = LetterDelivery.objects.filter(
            pk=delivery_id, channel=LetterDelivery.Channel.EMAIL, status=LetterDelivery.Status.PENDING
        ).update(status=LetterDelivery.Status.SENT, sent_at=timezone.now())
        if claimed != 1:
            return False
        delivery = LetterDelivery.objects.get(pk=delivery_id)
        recipients = [a.strip() for a in delivery.destination.split(",") if a.strip()]
        # A failure raises and rolls the claim back, so the retry sends it.
        send_mail(EMAIL_SUBJECT, EMAIL_BODY.format(plan=settings.PLAN_NAME), None, recipients)
    return True


def delivery_queue_pdf(*, deliveries) -> bytes:
    """One PDF of the queued letters, in queue order, for printing or a fax batch; each fax
    starts with its cover sheet."""
    from pypdf import PdfWriter

    from .fax_cover import fax_cover_sheet_pdf

    writer = PdfWriter()
    for delivery in deliveries:
        if delivery.channel == LetterDelivery.Channel.FAX:
            writer.append(io.BytesIO(fax_cover_sheet_pdf(delivery=delivery)))
        with delivery.letter.pdf.open("rb") as handle:
            writer.append(io.BytesIO(handle.read()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def delivery_queue_csv(*, deliveries) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "delivery_id",
            "channel",
            "case_reference",
            "letter_kind",
            "recipient",
            "name",
            "destination",
            "issued_at",
            "pages",
            "sha256",
        ]
    )
    for d in deliveries:
        letter = d.letter
        writer.writerow(
            [
                d.pk,
                d.channel,
                letter.case.reference,
                letter.kind,
                letter.recipient,
                letter.recipient_name,
                d.destination.replace("\n", ", "),
                letter.issued_at.isoformat() if letter.issued_at else "",
                letter.page_count or "",
                letter.sha256,
            ]
        )
    return out.getvalue()
