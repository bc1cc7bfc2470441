"""Realistic synthetic faxes for the OCR tests and bench/fax_bench.py (synthetic data only).

A filled prior-authorization request form is rendered to PDF with WeasyPrint, rasterized
at fax resolution (204x196 dpi, ITU-T T.4 "fine"), thresholded to black and white, skewed
and noised as a fax machine would, and wrapped back into a PDF or a Group 4 TIFF."""

import io
import random
from dataclasses import dataclass, field
from datetime import date

import pypdfium2
from PIL import Image, ImageFilter
from weasyprint import HTML

FAX_DPI = (204, 196)  # ITU-T T.4 fine resolution


@dataclass
class RequestForm:
    """What the office wrote on its request form: the truth the pre-fill is scored against."""

    member_number: str
    member_name: str
    date_of_birth: date
    requesting_npi: str
    servicing_npi: str
    diagnosis_codes: list[str]
    procedure_code: str
    start_date: date
    end_date: date
    urgent: bool = False
    office_fax: str = "410-555-0142"
    office_name: str = "Harbor Orthopedic Associates"
    procedure_text: str = "Total knee arthroplasty, right"
    notes_pages: int = 1
    extra: dict = field(default_factory=dict)


_CSS = """
@page { size: letter; margin: 0.6in; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; color: #000; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
.header { font-size: 9pt; border-bottom: 1px solid #000; margin-bottom: 10pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; }
td, th { border: 1px solid #000; padding: 4pt 6pt; text-align: left; vertical-align: top; }
th { font-weight: bold; }
p { margin: 4pt 0; }
"""


def _d(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _header(form: RequestForm, page: int, total: int) -> str:
    return (
        f'<div class="header">From: {form.office_name} Fax: {form.office_fax} '
        f"To: UM Intake 800-660-2019 Page {page} of {total}</div>"
    )


def form_html(form: RequestForm, *, first_page: int = 1, total: int | None = None) -> str:
    """The form page and its clinical notes pages, as one HTML document."""
    total = total or first_page + form.notes_pages
    urgency = "EXPEDITED - URGENT review requested" if form.urgent else "Standard"
    pages = [
        _header(form, first_page, total)
        + f"""
<h1>PRIOR AUTHORIZATION REQUEST</h1>
<table>
<tr><th colspan="2">Member</th></tr>
<tr><td>Member name: {form.member_name}</td><td>Member ID: {form.member_number}</td></tr>
<tr><td colspan="2">Date of birth: {_d(form.date_of_birth)}</td></tr>
</table>
<table>
<tr><th colspan="2">Providers</th></tr>
<tr><td>Requesting provider NPI: {form.requesting_npi}</td><td>Servicing provider NPI: {form.servicing_npi}</td></tr>
<tr><td colspan="2">Office fax: {form.office_fax}</td></tr>
</table>
<table>
<tr><th colspan="3">Service requested</th></tr>
<tr><td>Diagnosis (ICD-10): {", ".join(form.diagnosis_codes)}</td><td colspan="2">Urgency: {urgency}</td></tr>
<tr><td>CPT/HCPCS code: {form.procedure_code}</td><td colspan="2">{form.procedure_text}</td></tr>
<tr><td>Date of service from: {_d(form.start_date)}</td><td colspan="2">to: {_d(form.end_date)}</td></tr>
</table>
<p>Clinical summary: Synthetic patient with progressive joint pain despite six months of
conservative therapy, physical therapy and injections. Imaging attached.</p>
<p>Signature on file. Synthetic test document, no real patient.</p>
"""
    ]
    for index in range(form.notes_pages):
        pages.append(
            _header(form, first_page + 1 + index, total)
            + f"""
<h2>Clinical notes (continued {index + 1})</h2>
<p>Patient reports pain 7/10 on walking. Range of motion reduced. Physical therapy twice
weekly for twelve weeks with little relief. Weight-bearing radiographs show joint space
narrowing. Plan discussed with the patient.</p>
"""
        )
    body = "".join(f'<section style="break-after: page">{p}</section>' for p in pages[:-1]) + pages[-1]
    return f"<html><head><style>{_CSS}</style></head><body>{body}</body></html>"


def follow_up_html(*, reference: str, member_number: str, office_fax: str = "410-555-0142") -> str:
    return f"""<html><head><style>{_CSS}</style></head><body>
<div class="header">From: Harbor Orthopedic Associates Fax: {office_fax} To: UM Intake Page 1 of 1</div>
<h1>Additional clinical information</h1>
<p>Re: case {reference}, member ID {member_number}.</p>
<p>In answer to your request for information, please find the physical therapy notes below.</p>
<p>Synthetic test document, no real patient.</p>
</body></html>"""


def pdf_from_html(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def rasterize(pdf: bytes) -> list[Image.Image]:
    """Each page at 204x196 dpi, black and white (1 bit), as a fax machine sends it."""
    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for page in document:
            width, height = page.get_size()  # points
            bitmap = page.render(scale=FAX_DPI[0] / 72)
            image = bitmap.to_pil().convert("L")
            # Non-square fax pixels: 196 lines per inch vertically.
            image = image.resize((round(width * FAX_DPI[0] / 72), round(height * FAX_DPI[1] / 72)))
            images.append(image.point(lambda v: 255 if v > 160 else 0).convert("1"))
    finally:
        document.close()
    return images


def degrade(image: Image.Image, *, skew: float = 0.0, noise: float = 0.0, seed: int = 18) -> Image.Image:
    """Skew by `skew` degrees and flip a share `noise` of the pixels (speckle), then blur a
    little and threshold again (a worn scanner's ragged strokes)."""
    rng = random.Random(seed)
    out = image.convert("L")
    if skew:
        out = out.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if noise:
        pixels = out.load()
        width, height = out.size
        for _ in range(int(width * height * noise)):
            x, y = rng.randrange(width), rng.randrange(height)
            pixels[x, y] = 0 if pixels[x, y] > 127 else 255
        out = out.filter(ImageFilter.GaussianBlur(0.6))
    return out.point(lambda v: 255 if v > 150 else 0).convert("1")


def to_pdf(images: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], dpi=FAX_DPI)
    return out.getvalue()


def to_tiff(images: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    images[0].save(out, format="TIFF", save_all=True, append_images=images[1:], compression="group4", dpi=FAX_DPI)
    return out.getvalue()


def fax_of(forms_and_html: list, *, skew: float = 0.0, noise: float = 0.0, kind: str = "pdf") -> bytes:
    """A fax of several documents (RequestForm or raw HTML), in order."""
    images: list[Image.Image] = []
    for item in forms_and_html:
        html = form_html(item) if isinstance(item, RequestForm) else item
        images += rasterize(pdf_from_html(html))
    images = [degrade(img, skew=skew, noise=noise, seed=i) for i, img in enumerate(images)] if skew or noise else images
    return to_pdf(images) if kind == "pdf" else to_tiff(images)


# Two requests from two offices, with synthetic members and NPIs (valid check digits).
KNEE = RequestForm(
    member_number="M100001",
    member_name="Alice Marlowe",
    date_of_birth=date(1961, 4, 2),
    requesting_npi="1234567893",
    servicing_npi="1245319599",
    diagnosis_codes=["M17.11", "M25.561"],
    procedure_code="27447",
    start_date=date(2027, 1, 12),
    end_date=date(2027, 1, 14),
    urgent=True,
)
MRI = RequestForm(
    member_number="M200417",
    member_name="Bruno Castellanos",
    date_of_birth=date(1979, 11, 23),
    requesting_npi="1987654328",
    servicing_npi="1678901236",
    diagnosis_codes=["M54.16"],
    procedure_code="72148",
    start_date=date(2027, 2, 3),
    end_date=date(2027, 2, 3),
    office_fax="301-555-0199",
    office_name="Bayview Spine and Imaging",
    procedure_text="MRI lumbar spine without contrast",
    notes_pages=5,
)


def truth(form: RequestForm) -> dict[str, str]:
    """The values the pre-fill should find, by OCR field name."""
    return {
        "member_number": form.member_number,
        "member_date_of_birth": form.date_of_birth.isoformat(),
        "requesting_provider_npi": form.requesting_npi,
        "servicing_provider_npi": form.servicing_npi,
        "diagnosis_codes": ", ".join(form.diagnosis_codes),
        "procedure_codes": form.procedure_code,
        "start_date": form.start_date.isoformat(),
        "end_date": form.end_date.isoformat(),
        "urgency": "expedited" if form.urgent else "standard",
        "sender_fax": form.office_fax.replace("-", ""),
    }
