"""A TIFF fax shown beside the intake form (issue 18): the viewer gets a PDF made from every
page of the TIFF (Pillow), read through the fax file's door: the same access rule and one
access-log row per read, like the download."""

import io

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from cases.models import FaxReceipt
from um_portal.models import AccessLog

from .test_fax_inbox import _receive

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _tiff_with_marks(pages: int) -> bytes:
    # Fax resolution and depth (204x196 dpi, black and white, CCITT Group 4); each page
    # carries a black block whose height is its page number, so page order can be checked.
    frames = []
    for number in range(1, pages + 1):
        frame = Image.new("1", (1728, 2200), color=1)
        ImageDraw.Draw(frame).rectangle((100, 100, 400, 100 + 100 * number), fill=0)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(204, 196))
    return out.getvalue()


def _black_rows(page_image: Image.Image) -> int:
    gray = page_image.convert("L")
    column = [gray.getpixel((250 * gray.width // 1728, y)) for y in range(gray.height)]
    return sum(1 for value in column if value < 128)


def test_a_multipage_tiff_fax_is_shown_as_a_pdf_of_all_its_pages_in_order(client, nurse):
    fax = _receive(nurse, _tiff_with_marks(3), "scan.tif")
    assert (fax.content_type, fax.pages) == ("image/tiff", 3)
    client.force_login(nurse)

    response = client.get(f"/cases/faxes/{fax.pk}/file/?inline=1")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline") and "scan.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 3
    # A US letter page at fax resolution: 1728/204 by 2200/196 inches (8.47 x 11.22 in).
    box = pdf.pages[0].mediabox
    assert float(box.width) == pytest.approx(1728 / 204 * 72, abs=1)
    assert float(box.height) == pytest.approx(2200 / 196 * 72, abs=1)
    heights = [_black_rows(next(iter(page.images)).image) for page in pdf.pages]
    assert heights[0] < heights[1] < heights[2]  # pages in the TIFF's order
    read = AccessLog.objects.get(object_kind="fax", how="download")
    assert (read.user, read.object_id) == (nurse, str(fax.pk))


def test_the_keying_page_and_the_fax_page_show_a_tiff_fax_in_the_viewer(client, nurse):
    fax = _receive(nurse, _tiff_with_marks(2), "scan.tif")
    client.force_login(nurse)
    keying = client.get(f"/cases/new/?fax={fax.pk}").content.decode()
    assert f'id="fax-beside" title="The fax" src="/cases/faxes/{fax.pk}/file/?inline=1#page=1"' in keying
    page = client.get(f"/cases/faxes/{fax.pk}/").content.decode()
    assert f'id="fax-view" title="The fax" src="/cases/faxes/{fax.pk}/file/?inline=1"' in page


def test_the_tiff_download_is_still_the_tiff_as_received(client, nurse):
    tiff = _tiff_with_marks(2)
    fax = _receive(nurse, tiff, "scan.tif")
    client.force_login(nurse)
    response = client.get(f"/cases/faxes/{fax.pk}/file/")
    assert response["Content-Type"] == "image/tiff" and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == tiff


@pytest.mark.parametrize("persona", ["provider", "physician"])
def test_a_stranger_cannot_read_the_tiff_rendition_and_no_read_is_logged(request, client, nurse, persona):
    fax = _receive(nurse, _tiff_with_marks(2), "scan.tif")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/cases/faxes/{fax.pk}/file/?inline=1")
    assert response.status_code == 404 and b"%PDF" not in response.content
    assert not AccessLog.objects.filter(object_kind="fax").exists()


def test_a_rejected_tiff_is_not_offered_in_the_viewer_and_its_inline_read_is_a_download(client, nurse):
    fax = _receive(nurse, _tiff_with_marks(2)[:200], "broken.tif")
    assert fax.status == FaxReceipt.Status.REJECTED
    client.force_login(nurse)
    assert 'id="fax-view"' not in client.get(f"/cases/faxes/{fax.pk}/").content.decode()
    if fax.file:
        response = client.get(f"/cases/faxes/{fax.pk}/file/?inline=1")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
