"""Fax intake, item 1 of issue 18: the one service behind both doors (staff upload page,
gateway API), its content checks (bad files kept as rejected rows with a message), the
fax's own clock in the inbox, and keying a fax into a case."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from cases.models import Attachment, AuthorizationRequest, FaxReceipt
from cases.services.fax import fax_receipt_receive
from um_portal.exceptions import NotAllowed
from um_portal.models import AccessLog

from .test_pages_provider import _form

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _pdf(pages: int = 2, *, password: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tiff(pages: int = 3) -> bytes:
    # Fax resolution and depth: 204x196 dpi, black and white, CCITT Group 4.
    frames = [Image.new("1", (1728, 200), color=1) for _ in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(204, 196))
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    return out.getvalue()


def _file(content: bytes, name: str = "fax.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _receive(user, content: bytes, name: str = "fax.pdf", **kwargs) -> FaxReceipt:
    return fax_receipt_receive(user=user, upload=_file(content, name), source=FaxReceipt.Source.UPLOAD, **kwargs)


# --- the service ---------------------------------------------------------------------


def test_a_good_pdf_is_stored_once_with_its_pages_and_its_clock(nurse):
    received = timezone.now() - timedelta(hours=3)
    fax = _receive(nurse, _pdf(12), received_at=received, sender_fax="(410) 555-0101")
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW and fax.rejection_message == ""
    assert fax.pages == 12 and fax.content_type == "application/pdf"
    assert fax.sender_fax == "4105550101" and fax.received_at == received
    assert fax.due_at > received
    assert fax.file.name.startswith("faxes/") and fax.file.read() == _pdf(12)


def test_a_multipage_tiff_is_accepted_with_its_page_count(nurse):
    fax = _receive(nurse, _tiff(3), "scan.tiff")
    assert fax.status == FaxReceipt.Status.NEW
    assert (fax.content_type, fax.pages, fax.original_name) == ("image/tiff", 3, "scan.tif")


def test_without_a_gateway_time_the_receipt_time_is_the_arrival(nurse):
    before = timezone.now()
    fax = _receive(nurse, _pdf(1))
    assert before <= fax.received_at <= timezone.now()


def test_a_receipt_time_in_the_future_is_replaced_by_the_arrival(nurse):
    fax = _receive(nurse, _pdf(1), received_at=timezone.now() + timedelta(hours=2))
    assert fax.received_at <= timezone.now()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (_png(), "photo.png", "This is not a fax: only PDF and TIFF files are accepted (this file is image/png)."),
        (b"just some text, not a fax\n" * 4, "note.txt", "This is not a fax: only PDF and TIFF files are accepted."),
        (_pdf(2, password="s3cret"), "locked.pdf", "The PDF is password-protected; ask the sender"),
        (_pdf(0), "empty.pdf", "The file has no pages."),
        (_pdf(300), "batch.pdf", "The fax has 300 pages; at most 100 are accepted in one file."),
        (_tiff(2)[:200], "broken.tif", "The TIFF is damaged and cannot be read."),
        (b"%PDF-1.4\n" + b"\x00garbage" * 50, "broken.pdf", "The PDF is damaged and cannot be read"),
    ],
    ids=["png", "text", "encrypted-pdf", "zero-pages", "300-pages", "corrupt-tiff", "corrupt-pdf"],
)
def test_a_bad_file_is_kept_as_a_rejected_row_with_a_clear_message(nurse, content, name, message):
    fax = _receive(nurse, content, name)
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.REJECTED
    assert fax.rejection_message.startswith(message)
    assert fax.file.read() == content  # never lost
    assert fax.pages is None


def test_a_file_over_the_size_limit_is_recorded_without_its_content(nurse, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    fax = _receive(nurse, _pdf(40))
    assert fax.status == FaxReceipt.Status.REJECTED and not fax.file
    assert fax.rejection_message.startswith("The file is ")
    assert fax.rejection_message.endswith("the limit is 1 KB per fax.")


def test_a_provider_cannot_file_a_fax_and_nothing_is_written(provider):
    with pytest.raises(NotAllowed):
        _receive(provider, _pdf(1))
    assert FaxReceipt.objects.count() == 0


# --- the gateway's API door ----------------------------------------------------------


@time_machine.travel("2026-11-30T12:00:00-05:00", tick=False)  # after the receipt time the gateway sends
def test_the_gateway_posts_a_fax_with_its_receipt_time(api, nurse):
    response = api.as_user(nurse).post(
        "/api/v1/fax/inbound/",
        {"file": _file(_pdf(3)), "received_at": "2026-11-27T16:05:00-05:00", "sender_fax": "+1 410 555 0101"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    fax = FaxReceipt.objects.get()
    assert body["status"] == "new" and body["pages"] == 3 and body["message"] == ""
    assert fax.source == FaxReceipt.Source.GATEWAY and fax.sender_fax == "14105550101"
    assert fax.received_at.isoformat() == "2026-11-27T21:05:00+00:00"


def test_the_gateway_learns_a_bad_fax_was_kept_as_rejected(api, nurse):
    response = api.as_user(nurse).post("/api/v1/fax/inbound/", {"file": _file(_pdf(0))}, format="multipart")
    assert response.status_code == 201
    assert response.json()["status"] == "rejected"
    assert response.json()["message"] == "The file has no pages."


def test_a_provider_token_cannot_post_faxes(api, provider):
    response = api.as_user(provider).post("/api/v1/fax/inbound/", {"file": _file(_pdf(1))}, format="multipart")
    assert response.status_code == 403
    assert FaxReceipt.objects.count() == 0


def test_the_fax_endpoint_needs_a_file(api, nurse):
    response = api.as_user(nurse).post("/api/v1/fax/inbound/", {"sender_fax": "1"}, format="multipart")
    assert response.status_code == 400
    assert FaxReceipt.objects.count() == 0


# --- the inbox page ------------------------------------------------------------------


def test_inbox_lists_unkeyed_faxes_oldest_first_and_an_old_one_is_overdue(client, nurse):
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        old = _receive(nurse, _pdf(1), sender_fax="4105550001")
    new = _receive(nurse, _pdf(1), sender_fax="4105550002")
    rejected = _receive(nurse, _pdf(0), sender_fax="4105550003")
    client.force_login(nurse)
    html = client.get("/cases/faxes/").content.decode()
    assert html.index("4105550001") < html.index("4105550002") < html.index("4105550003")
    assert "Overdue by" in html.split("4105550002")[0]
    assert "left" in html.split("4105550002")[1].split("4105550003")[0]
    assert "The file has no pages." in html
    assert old.due_at < timezone.now() < new.due_at and rejected.status == "rejected"


def test_inbox_query_count_does_not_grow_with_faxes(client, nurse, django_assert_num_queries):
    for _ in range(3):
        _receive(nurse, _pdf(1))
    _receive(nurse, _png(), "x.png")
    client.force_login(nurse)
    # 1 session, 2 the user with their groups (role), 3 the faxes oldest first (one page),
    # 4 unread count (nav), 5-7 the session saved on every request (savepoint, update, release)
    with django_assert_num_queries(7):
        assert client.get("/cases/faxes/").status_code == 200


def test_providers_do_not_see_the_inbox_or_a_fax(client, provider, nurse):
    fax = _receive(nurse, _pdf(1))
    client.force_login(provider)
    assert client.get("/cases/faxes/").status_code == 403
    assert client.get(f"/cases/faxes/{fax.pk}/").status_code == 404
    assert client.get(f"/cases/faxes/{fax.pk}/file/").status_code == 404
    assert not AccessLog.objects.filter(object_kind="fax").exists()


def test_staff_upload_a_fax_through_the_page(client, nurse):
    client.force_login(nurse)
    response = client.post("/cases/faxes/upload/", {"file": _file(_tiff(2), "in.tif"), "sender_fax": "410-555-0199"})
    fax = FaxReceipt.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/faxes/{fax.pk}/"
    assert fax.source == FaxReceipt.Source.UPLOAD and fax.pages == 2 and fax.received_by == nurse


def test_opening_a_fax_shows_it_with_the_key_link_and_logs_the_read(client, nurse):
    fax = _receive(nurse, _pdf(2))
    client.force_login(nurse)
    html = client.get(f"/cases/faxes/{fax.pk}/").content.decode()
    assert f'/cases/new/?fax={fax.pk}"' in html and "Key this request" in html
    assert f"/cases/faxes/{fax.pk}/file/?inline=1" in html
    read = AccessLog.objects.get(object_kind="fax")
    assert (read.user, read.object_id, read.how) == (nurse, str(fax.pk), "page")
    response = client.get(f"/cases/faxes/{fax.pk}/file/")
    assert b"".join(response.streaming_content) == _pdf(2)
    assert AccessLog.objects.filter(object_kind="fax", how="download").count() == 1


# --- keying ------------------------------------------------------------------------------


def test_keying_a_fax_makes_it_the_cases_first_document_with_its_receipt_time(client, nurse, member, surgeon, ortho):
    received = timezone.now() - timedelta(hours=5, seconds=17)
    fax = _receive(nurse, _pdf(4), received_at=received)
    client.force_login(nurse)
    form = client.get(f"/cases/new/?fax={fax.pk}").content.decode()
    assert f'value="{fax.pk}"' in form and 'value="fax" selected' in form
    assert timezone.localtime(received).strftime("%Y-%m-%dT%H:%M") in form

    data = _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk))
    data["documents"] = _file(_pdf(1), "clinic note.pdf")
    response = client.post("/cases/new/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    case = AuthorizationRequest.objects.get()
    assert case.channel == "fax" and case.received_at == received  # to the second
    documents = list(case.attachments.order_by("uploaded_at"))
    assert [d.original_name for d in documents] == ["fax.pdf", "clinic note.pdf"]
    assert documents[0].file.name == fax.file.name  # stored once
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.KEYED and fax.keyed_by == nurse
    assert list(fax.cases.all()) == [case]
    assert str(fax.pk) not in client.get("/cases/faxes/").content.decode()


def test_a_rejected_fax_cannot_be_keyed_and_no_case_is_made(client, nurse, member, surgeon, ortho):
    fax = _receive(nurse, _png(), "x.png")
    client.force_login(nurse)
    response = client.post("/cases/new/", _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk)))
    assert response.status_code == 409
    assert "cannot be keyed" in response.content.decode()
    assert AuthorizationRequest.objects.count() == 0 and Attachment.objects.count() == 0
