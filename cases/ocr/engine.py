"""Page images from a fax file (PDF through pypdfium2, TIFF through Pillow) and their text
from Tesseract through pytesseract. No database here."""

import io
import os
import shutil
from dataclasses import dataclass

import pypdfium2
import pytesseract
from django.conf import settings
from PIL import Image, ImageSequence

# Tesseract starts one OpenMP thread per core for each page. Measured on the 2-core CI
# machine under load: 4.0 s a page with the default, 0.55 s with one thread (the threads
# fight each other and the other processes); workers already run pages in parallel.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

OCR_OFF_MESSAGE = "OCR pre-fill is off: Tesseract is not installed"
# Fax "fine" resolution (ITU-T T.4): rendering a faxed PDF finer only interpolates its pixels.
RENDER_DPI = 204
# One page may not hold a worker for long: a page Tesseract has not read in this time is
# reported unreadable (a clean fax page takes about a second).
PAGE_TIMEOUT_SECONDS = 60


class OcrUnavailable(Exception):
    """Tesseract is not installed (or TESSERACT_CMD names no program)."""


@dataclass
class PageText:
    page: int
    text: str
    confidence: float | None  # mean word confidence, 0..100
    words: int
    error: str = ""


def tesseract_path() -> str | None:
    return shutil.which(settings.TESSERACT_CMD)


def tesseract_version() -> str:
    path = tesseract_path()
    if path is None:
        raise OcrUnavailable(OCR_OFF_MESSAGE)
    pytesseract.pytesseract.tesseract_cmd = path
    return f"tesseract {pytesseract.get_tesseract_version()}"


def page_images(content: bytes, content_type: str):
    """Yield each page as a greyscale or 1-bit Pillow image, square pixels."""
    if content_type == "application/pdf":
        document = pypdfium2.PdfDocument(content)
        try:
            for page in document:
                yield page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil()
        finally:
            document.close()
        return
    with Image.open(io.BytesIO(content)) as tiff:
        for frame in ImageSequence.Iterator(tiff):
            image = frame.copy()
            xdpi, ydpi = (float(v) for v in (image.info.get("dpi") or (RENDER_DPI, RENDER_DPI)))
            # Standard-resolution faxes have half the lines (204x98 dpi): stretch to square
            # pixels, or Tesseract sees letters half as tall as they are.
            if xdpi and ydpi and abs(xdpi - ydpi) / xdpi > 0.1:
                image = image.resize((image.width, round(image.height * xdpi / ydpi)))
            yield image


def page_read(image, page: int) -> PageText:
    """One page through Tesseract: its text, line by line, and the mean word confidence."""
    try:
        data = pytesseract.image_to_data(
            image, output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_SECONDS, config="--psm 3"
        )
    except RuntimeError as error:  # pytesseract's timeout
        return PageText(
            page=page, text="", confidence=None, words=0, error=f"Page {page} took too long to read ({error})."
        )
    except pytesseract.TesseractError as error:
        return PageText(
            page=page, text="", confidence=None, words=0, error=f"Page {page} could not be read: {error.message}"
        )
    lines: dict[tuple, list[str]] = {}
    confidences = []
    for index, word in enumerate(data["text"]):
        word = (word or "").strip()
        if not word:
            continue
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        lines.setdefault(key, []).append(word)
        conf = float(data["conf"][index])
        if conf >= 0:
            confidences.append(conf)
    text = "\n".join(" ".join(words) for words in lines.values())
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return PageText(page=page, text=text, confidence=confidence, words=len(confidences))


def fax_read(content: bytes, content_type: str) -> list[PageText]:
    """Every page of the fax, in order. Raises OcrUnavailable without Tesseract."""
    path = tesseract_path()
    if path is None:
        raise OcrUnavailable(OCR_OFF_MESSAGE)
    pytesseract.pytesseract.tesseract_cmd = path
    return [page_read(image, number) for number, image in enumerate(page_images(content, content_type), start=1)]
