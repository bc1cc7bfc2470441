"""What the fax viewer shows (issue 18): a PDF fax as it is; a TIFF fax as a PDF made from
its pages with Pillow on each read (nothing more is stored: the TIFF stays the record, and a
fax is read a few times while it is keyed). The read is the fax file's, with its access
check and access-log row (cases.views_fax.file)."""

from io import BytesIO

from PIL import Image, ImageSequence

from um_portal.exceptions import Conflict

from .models import FaxReceipt

PDF = "application/pdf"
TIFF = "image/tiff"
# ITU-T T.4 fine resolution, what fax machines send; used when a TIFF does not say its own.
FAX_DPI = (204, 196)


def fax_viewable(fax: FaxReceipt) -> bool:
    """Whether the fax page and the keying page can show the fax inline."""
    if not fax.file or fax.active_content:
        return False
    if fax.content_type == PDF:
        return True
    return fax.content_type == TIFF and fax.status != FaxReceipt.Status.REJECTED


def fax_tiff_as_pdf(fax: FaxReceipt) -> bytes:
    """Every page of a TIFF fax, in order, as one PDF at the fax's own resolution."""
    try:
        with fax.file.open("rb") as handle, Image.open(handle) as image:
            pages = []
            for frame in ImageSequence.Iterator(image):
                page = frame.copy() if frame.mode in ("1", "L", "RGB") else frame.convert("RGB")
                pages.append(page)
            dpi = tuple(round(float(d)) for d in image.info.get("dpi", FAX_DPI)) or FAX_DPI
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise Conflict("This TIFF cannot be shown here; download it instead.", code="fax_not_viewable") from error
    if not pages:
        raise Conflict("This TIFF has no pages to show.", code="fax_not_viewable")
    out = BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], dpi=dpi)
    return out.getvalue()
