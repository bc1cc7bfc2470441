"""Delivery: the portal copy at once, mail and fax in the operations queue (combined PDF,
CSV, mark sent), and an e-mail notice without PHI."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from notifications.models import LetterDelivery
from notifications.services.delivery import letter_email_notice_send
from notifications.services.letters import letters_generate_for_event
from um_portal.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(make_case, decide, imaging, provider):
    imaging.fax = "410-555-0199"
    imaging.save(update_fields=["fax"])
    case = make_case(servicing_organization=imaging)
    _, event = decide(case, "approved", basis="")
    return case, {x.recipient: x for x in letters_generate_for_event(event_id=event.pk)}


def test_channels_per_recipient(issued, provider):
    case, letters = issued
    channels = {
        r: sorted(LetterDelivery.objects.filter(letter=x).values_list("channel", "status")) for r, x in letters.items()
    }

    assert channels["member"] == [("mail", "pending")]
    assert channels["requesting_provider"] == [("email", "pending"), ("mail", "pending"), ("portal", "sent")]
    assert channels["servicing_provider"] == [("fax", "pending"), ("portal", "sent")]
    member_mail = LetterDelivery.objects.get(letter=letters["member"])
    assert case.member.address_line1 in member_mail.destination
    assert LetterDelivery.objects.get(letter=letters["requesting_provider"], channel="email").destination == (
        provider.email
    )


def test_email_notice_is_sent_once_and_carries_no_phi(issued, provider):
    case, letters = issued
    delivery = LetterDelivery.objects.get(letter=letters["requesting_provider"], channel="email")

    assert letter_email_notice_send(delivery_id=delivery.pk) is True
    assert letter_email_notice_send(delivery_id=delivery.pk) is False

    [message] = mail.outbox
    assert message.to == [provider.email]
    text = message.subject + message.body
    for phi in (case.member.first_name, case.member.last_name, case.member.member_number, case.reference, "knee"):
        assert phi not in text
    assert "Sign in" in message.body


def test_operations_export_the_queue_as_one_pdf_and_csv_and_mark_it_sent(client, admin_user, issued):
    case, letters = issued
    client.force_login(admin_user)
    url = reverse("admin:notifications_letterdelivery_changelist")
    queue = list(LetterDelivery.objects.filter(channel__in=["mail", "fax"]).order_by("created_at", "id"))
    assert len(queue) == 3
    page = client.get(url)
    assert page.status_code == 200 and case.reference in page.content.decode()

    ids = [str(d.pk) for d in queue]
    pdf = client.post(url, {"action": "export_pdf", "_selected_action": ids})
    assert pdf["Content-Type"] == "application/pdf"
    pages = len(PdfReader(io.BytesIO(pdf.content)).pages)
    # each fax behind its cover sheet (issue 18, item 3): one fax in this queue
    assert pages == sum(d.letter.page_count for d in queue) + sum(d.channel == "fax" for d in queue)
    assert AccessLog.objects.filter(how="export", object_kind="letter").count() == 3

    rows = list(
        csv.DictReader(
            io.StringIO(client.post(url, {"action": "export_csv", "_selected_action": ids}).content.decode())
        )
    )
    assert {r["channel"] for r in rows} == {"mail", "fax"}
    assert {r["case_reference"] for r in rows} == {case.reference}
    assert next(r for r in rows if r["channel"] == "fax")["destination"] == "410-555-0199"

    client.post(url, {"action": "mark_sent", "_selected_action": ids})
    assert set(LetterDelivery.objects.filter(pk__in=ids).values_list("status", "sent_by")) == {("sent", admin_user.pk)}
    assert case.reference not in client.get(url).content.decode()  # the pending queue is empty


def test_administrators_reach_the_queue_and_held_letters_from_the_nav(client, admin_user, nurse):
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    assert 'id="nav-letter-queue"' in page and 'id="nav-held-letters"' in page
    assert client.get(reverse("admin:notifications_letter_changelist") + "?status__exact=blocked").status_code == 200

    client.force_login(nurse)
    assert 'id="nav-letter-queue"' not in client.get("/").content.decode()
