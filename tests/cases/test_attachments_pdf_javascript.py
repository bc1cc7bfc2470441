"""Issue 12 ("also decide"): a PDF uploaded with JavaScript (or other active content) is
stored as sent, flagged, and never served inline: every document download is an
attachment in a sandbox, and a flagged one goes out as application/octet-stream, so no
browser viewer runs it from the portal's origin. Detection sees through object streams
(Flate) and #-escaped names."""

import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Attachment
from cases.services.attachments import pdf_has_active_content

from .conftest import PDF_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

JS_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"3 0 obj<</S/JavaScript/JS(app.alert\\(document.cookie\\))>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _hidden_in_object_stream() -> bytes:
    inner = zlib.compress(b"3 0 <</S/J#61vaScript/JS(app.alert(1))>>")
    return (
        b"%PDF-1.5\n4 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(inner)).encode()
        + b">>stream\n"
        + inner
        + b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n"
    )


def _upload(api, case, content: bytes, name="report.pdf"):
    return api.post(
        f"/api/v1/authorizations/{case.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, "application/pdf")},
        format="multipart",
    )


def test_a_pdf_with_javascript_is_stored_but_only_ever_downloaded_as_opaque_bytes(api, client, provider, make_case):
    case = make_case()
    response = _upload(api.as_user(provider), case, JS_PDF)
    assert response.status_code == 201, response.json()
    doc = response.json()
    stored = Attachment.objects.get(pk=doc["id"])
    assert stored.active_content is True
    assert stored.file.read() == JS_PDF, "stored as sent: the clinical record is not altered"

    for download in (api.get(doc["url"]), _page_download(client, provider, case, doc["id"])):
        assert download.status_code == 200
        assert download["Content-Type"] == "application/octet-stream"
        assert download["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in download["Content-Security-Policy"]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == JS_PDF


def _page_download(client, user, case, attachment_id):
    client.force_login(user)
    return client.get(f"/cases/{case.pk}/documents/{attachment_id}/")


def test_a_plain_pdf_is_a_pdf_attachment_in_a_sandbox(api, provider, make_case):
    case = make_case()
    doc = _upload(api.as_user(provider), case, PDF_BYTES).json()
    assert Attachment.objects.get(pk=doc["id"]).active_content is False
    download = api.get(doc["url"])
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]


def test_detection_sees_through_object_streams_and_escaped_names():
    assert pdf_has_active_content(SimpleUploadedFile("a.pdf", JS_PDF))
    assert pdf_has_active_content(SimpleUploadedFile("b.pdf", _hidden_in_object_stream()))
    assert not pdf_has_active_content(SimpleUploadedFile("c.pdf", PDF_BYTES))
    launch = b"%PDF-1.4\n1 0 obj<</S/Launch/F(cmd.exe)>>endobj\n%%EOF\n"
    assert pdf_has_active_content(SimpleUploadedFile("d.pdf", launch))
