"""OCR pre-fill of received faxes (issue 18, item 2).

A fax filed by `cases.services.fax.fax_receipt_receive` asks for its OCR here
(`fax_ocr_request`); the Celery task runs `fax_ocr_run`, which claims the row, reads every
page with Tesseract, splits the fax into its requests and checks each candidate against
our tables (members, NPIs, codes used in criteria, requirements and cases). The keying page
asks `fax_prefill` for the form's initial values with the page each came from; submitting
records what the nurse kept (`fax_prefill_record`), the dashboard's OCR field accuracy."""

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from criteria.models import CoverageRequirement, CriteriaCode
from um_portal.enqueue import task_send_on_commit

from ..models import (
    AuthorizationRequest,
    Diagnosis,
    FaxOcr,
    FaxPrefill,
    FaxReceipt,
    Member,
    Practitioner,
    ProviderOrganization,
    ServiceLine,
)
from ..ocr import engine
from ..ocr.extract import FIELDS, OPTIONAL, Candidate, RequestRead, request_read, requests_split
from ..task_names import FAX_OCR_RUN

log = logging.getLogger(__name__)

OCR_OFF_MESSAGE = engine.OCR_OFF_MESSAGE
# A run claimed this long ago whose worker died (acks_late redelivers it) may be claimed
# again; a 100-page fax reads in a few minutes on the CI machine (bench/fax_bench.py).
STALE_CLAIM = timedelta(minutes=30)
MAX_LINES = 3  # the intake form shows three service lines to start with


def fax_ocr_request(*, fax: FaxReceipt) -> FaxOcr | None:
    """Ask for the OCR of a newly filed fax (inside its transaction): a pending row, and
    the task sent once it commits. Rejected faxes are not read."""
    if fax.status == FaxReceipt.Status.REJECTED or not fax.file:
        return None
    ocr, _created = FaxOcr.objects.get_or_create(fax=fax)
    task_send_on_commit(FAX_OCR_RUN, str(fax.pk), unsent="the fax is not read for pre-fill; it can be keyed without it")
    return ocr


def fax_ocr_run(*, fax_id) -> str:
    """Read the fax's pages and store the candidates. Safe to run twice: the run claims
    the pending row with a conditional update, and a second run finds nothing to claim."""
    now = timezone.now()
    FaxOcr.objects.get_or_create(fax_id=fax_id)
    claimed = (
        FaxOcr.objects.filter(fax_id=fax_id)
        .filter(Q(status=FaxOcr.Status.PENDING) | Q(status=FaxOcr.Status.RUNNING, started_at__lt=now - STALE_CLAIM))
        .update(status=FaxOcr.Status.RUNNING, started_at=now, message="")
    )
    if claimed != 1:
        return "already read"
    fax = FaxReceipt.objects.get(pk=fax_id)
    started = time.monotonic()
    try:
        version = engine.tesseract_version()
        with fax.file.open("rb") as handle:
            content = handle.read()
        pages = engine.fax_read(content, fax.content_type)
    except engine.OcrUnavailable as off:
        log.warning("Fax %s not read: %s", fax_id, off)
        _finish(fax_id, status=FaxOcr.Status.OFF, message=str(off))
        return "off"
    except Exception as error:  # a page Pillow or PDFium cannot decode: the nurse keys by hand
        log.exception("Fax %s could not be read", fax_id)
        _finish(fax_id, status=FaxOcr.Status.FAILED, message=f"The fax could not be read ({type(error).__name__}).")
        return "failed"
    seconds = time.monotonic() - started
    requests, follow_up = fax_pages_understand([(p.page, p.text) for p in pages])
    for page in pages:
        if page.error:
            requests[0]["problems"].append({"field": "page", "page": page.page, "text": "", "message": page.error})
    _finish(
        fax_id,
        status=FaxOcr.Status.DONE,
        engine=version,
        seconds=round(seconds, 2),
        pages=[{"page": p.page, "text": p.text, "confidence": p.confidence, "words": p.words} for p in pages],
        requests=requests,
        follow_up=follow_up,
    )
    return "done"


def _finish(fax_id, **values) -> None:
    FaxOcr.objects.filter(fax_id=fax_id, status=FaxOcr.Status.RUNNING).update(finished_at=timezone.now(), **values)


def fax_pages_understand(pages: list[tuple[int, str]]) -> tuple[list[dict], dict | None]:
    """The requests in these page texts, each with its chosen field values (checked against
    our tables), what could not be read, and whether the fax follows up an existing case."""
    reads = [request_read(group) for group in requests_split(pages)] or [RequestRead(pages=[])]
    known = _known_lookup(reads)
    requests = [_request_choose(read, known) for read in reads]
    follow_up = None
    for read in reads:
        for candidate in read.fields.get("case_reference", []):
            case_id = known["references"].get(candidate.value)
            if case_id is not None:
                follow_up = {"reference": candidate.value, "page": candidate.page, "case_id": str(case_id)}
                break
        if follow_up:
            break
    return requests, follow_up


def _known_lookup(reads: list[RequestRead]) -> dict:
    """Which candidates our tables know, in one query per table."""

    def values(name):
        return {c.value for read in reads for c in read.fields.get(name, [])}

    members = values("member_number")
    npis = values("npis")
    dx = values("diagnosis_codes")
    codes = {v.split(":", 1)[1] for v in values("procedure_codes") | values("unlabelled_codes")}
    known_codes = set()
    if codes:
        known_codes |= set(CriteriaCode.objects.filter(code__in=codes).values_list("code", flat=True))
        known_codes |= set(ServiceLine.objects.filter(code__in=codes).values_list("code", flat=True).distinct())
        for low, high in CoverageRequirement.objects.filter(
            code_min__lte=max(codes), code_max__gte=min(codes)
        ).values_list("code_min", "code_max"):
            known_codes |= {c for c in codes if low <= c <= high}
    return {
        "members": dict(Member.objects.filter(member_number__in=members).values_list("member_number", "date_of_birth"))
        if members
        else {},
        "npis": (
            set(Practitioner.objects.filter(npi__in=npis).values_list("npi", flat=True))
            | set(ProviderOrganization.objects.filter(npi__in=npis).values_list("npi", flat=True))
        )
        if npis
        else set(),
        "dx": set(Diagnosis.objects.filter(code__in=dx).values_list("code", flat=True).distinct()) if dx else set(),
        "codes": known_codes,
        "references": dict(
            AuthorizationRequest.objects.filter(reference__in=values("case_reference")).values_list("reference", "pk")
        )
        if values("case_reference")
        else {},
    }


def _request_choose(read: RequestRead, known: dict) -> dict:
    fields: dict[str, dict] = {}

    def pick(name: str, candidate: Candidate | None) -> None:
        if candidate is not None:
            fields[name] = candidate.as_dict()

    members = read.fields.get("member_number", [])
    for c in members:
        c.known = c.value in known["members"]
        c.note = "a member of the plan" if c.known else "no member has this number"
    member = next((c for c in members if c.known), members[0] if members else None)
    pick("member_number", member)
    births = read.fields.get("member_date_of_birth", [])
    if member is not None and member.known:
        for c in births:
            c.known = c.value == known["members"][member.value].isoformat()
            c.note = "matches the member" if c.known else "differs from the member's date of birth"
    pick("member_date_of_birth", next((c for c in births if c.known), births[0] if births else None))
    npis = read.fields.get("npis", [])
    for c in npis:
        c.known = c.value in known["npis"]
    requesting = next((c for c in npis if c.note == "requesting"), npis[0] if npis else None)
    servicing = next((c for c in npis if c.note == "servicing"), None)
    if servicing is None:
        servicing = next((c for c in npis if c is not requesting), None)
    pick("requesting_provider_npi", requesting)
    pick("servicing_provider_npi", servicing)
    dx = read.fields.get("diagnosis_codes", [])[:12]
    for c in dx:
        c.known = c.value in known["dx"]
        c.note = "" if c.known else "valid format; not on any case yet"
    if dx:
        fields["diagnosis_codes"] = {
            "value": ", ".join(c.value for c in dx),
            "page": dx[0].page,
            "text": ", ".join(c.text for c in dx),
            "known": all(c.known for c in dx),
            "note": "; ".join(f"{c.value}: {c.note}" for c in dx if c.note),
        }
    codes = list(read.fields.get("procedure_codes", []))
    codes += [c for c in read.fields.get("unlabelled_codes", []) if c.value.split(":", 1)[1] in known["codes"]]
    for c in codes:
        c.known = c.value.split(":", 1)[1] in known["codes"]
        c.note = "in our criteria or requirements" if c.known else "valid format; not in our code lists"
    lines = [{"code_system": c.value.split(":")[0], "code": c.value.split(":")[1], "page": c.page} for c in codes]
    if codes:
        fields["procedure_codes"] = {
            "value": ", ".join(c.value.split(":", 1)[1] for c in codes),
            "page": codes[0].page,
            "text": ", ".join(c.text for c in codes),
            "known": all(c.known for c in codes),
            "note": "; ".join(f"{c.value.split(':', 1)[1]}: {c.note}" for c in codes),
        }
    for name in ("start_date", "end_date", "urgency", "sender_fax"):
        found = read.fields.get(name, [])
        if name == "urgency":  # any urgency word makes it expedited, for the nurse to judge
            found = sorted(found, key=lambda c: c.value != "expedited")
        pick(name, found[0] if found else None)
    unread = [name for name in FIELDS if name not in fields and name not in OPTIONAL]
    return {
        "pages": read.pages,
        "fields": fields,
        "lines": lines[:MAX_LINES],
        "unread": unread,
        "problems": read.problems,
    }


# --- the keying page -----------------------------------------------------------------

# Form fields that pre-fill counts for accuracy, each with the OCR field it comes from.
_FORM_FIELDS = (
    "member_number",
    "member_date_of_birth",
    "requesting_provider_npi",
    "servicing_provider_npi",
    "diagnosis_codes",
    "urgency",
)


@dataclass
class Prefill:
    """What the keying page shows for one request of a fax."""

    status: str  # FaxOcr.Status, or "" when the fax was never sent to OCR
    message: str = ""
    request_index: int = 0
    requests: list[dict] = field(default_factory=list)
    initial: dict = field(default_factory=dict)  # SubmitForm initial
    line_initial: list[dict] = field(default_factory=list)  # LineFormSet initial
    pages: dict = field(default_factory=dict)  # form field name -> fax page
    notes: dict = field(default_factory=dict)  # form field name -> note
    unread: list[str] = field(default_factory=list)  # labels
    problems: list[dict] = field(default_factory=list)
    follow_up: dict | None = None

    @property
    def on(self) -> bool:
        return bool(self.initial or self.line_initial)


def fax_prefill(*, fax: FaxReceipt, request_index: int = 0) -> Prefill:
    ocr = FaxOcr.objects.filter(fax=fax).first()
    if ocr is None:
        off = engine.tesseract_path() is None
        return Prefill(status=FaxOcr.Status.OFF if off else "", message=OCR_OFF_MESSAGE if off else "")
    if ocr.status == FaxOcr.Status.PENDING and engine.tesseract_path() is None:
        return Prefill(status=FaxOcr.Status.OFF, message=OCR_OFF_MESSAGE)  # no worker will read it either
    if ocr.status != FaxOcr.Status.DONE:
        return Prefill(status=ocr.status, message=ocr.message)
    requests = ocr.requests or []
    index = request_index if 0 <= request_index < len(requests) else 0
    request = requests[index] if requests else {"fields": {}, "lines": [], "unread": list(FIELDS), "problems": []}
    prefill = Prefill(
        status=ocr.status,
        request_index=index,
        requests=requests,
        unread=[FIELDS[name] for name in request["unread"]],
        problems=request["problems"],
        follow_up=ocr.follow_up,
    )
    found = request["fields"]
    for name in _FORM_FIELDS:
        if name in found:
            prefill.initial[name] = found[name]["value"]
            prefill.pages[name] = found[name]["page"]
            prefill.notes[name] = found[name]["note"]
    start, end = found.get("start_date"), found.get("end_date")
    for number, line in enumerate(request["lines"]):
        row = {"code_system": line["code_system"], "code": line["code"], "units": 1}
        prefill.pages[f"lines-{number}-code"] = line["page"]
        if start:
            row["start_date"] = start["value"]
            row["end_date"] = (end or start)["value"]
            prefill.pages[f"lines-{number}-start_date"] = start["page"]
            prefill.pages[f"lines-{number}-end_date"] = (end or start)["page"]
        prefill.line_initial.append(row)
    return prefill


def _same(name: str, prefilled, submitted) -> bool:
    if name == "diagnosis_codes":
        return [c.strip().upper() for c in str(prefilled).split(",")] == [c.strip().upper() for c in submitted or []]
    if isinstance(submitted, date):
        submitted = submitted.isoformat()
    return str(prefilled).strip().upper() == str(submitted or "").strip().upper()


def fax_prefill_record(*, fax: FaxReceipt, case: AuthorizationRequest, request_index: int, submitted: dict) -> None:
    """The nurse submitted a case keyed from a pre-filled fax (inside the submit's
    transaction): record which pre-filled form fields went in unchanged. `submitted` holds
    the form's values by field name and its `lines` as the intake took them."""
    prefill = fax_prefill(fax=fax, request_index=request_index)
    if not prefill.on:
        return
    fields, kept = [], []
    for name, value in prefill.initial.items():
        fields.append(name)
        if _same(name, value, submitted.get(name)):
            kept.append(name)
    lines = submitted.get("lines") or []
    for number, row in enumerate(prefill.line_initial):
        line = lines[number] if number < len(lines) else {}
        for key in ("code", "start_date", "end_date"):
            if key in row:
                name = f"lines-{number}-{key}"
                fields.append(name)
                if _same(name, row[key], line.get(key)):
                    kept.append(name)
    with transaction.atomic():
        FaxPrefill.objects.update_or_create(
            case=case,
            defaults={
                "fax": fax,
                "request_index": prefill.request_index,
                "prefill_fields": fields,
                "prefill_kept": kept,
            },
        )


def fax_prefill_accuracy(*, since=None) -> tuple[int, int]:
    """(fields kept, fields pre-filled) over the cases keyed from faxes since `since`."""
    kept = filled = 0
    rows = FaxPrefill.objects.all() if since is None else FaxPrefill.objects.filter(keyed_at__gte=since)
    for fields, kept_fields in rows.values_list("prefill_fields", "prefill_kept"):
        filled += len(fields)
        kept += len(kept_fields)
    return kept, filled
