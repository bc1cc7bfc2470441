"""Clinical documents on a case: PDF, PNG, JPEG and TIFF only, recognised by their content
(magic bytes), never by the name or the browser's claim. Stored under an opaque name in
private storage (outside the web root); read back only through `attachment_for_user`."""

import hashlib
import re
import unicodedata
import uuid
import zlib
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.db import transaction

from um_portal.exceptions import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from um_portal.roles import Perm

from .. import events
from ..access import case_for_user, cases_visible_to
from ..models import Attachment, AuthorizationRequest, CaseStatus

# Detected type -> the extension the stored name gets.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
}
# filetype reads at most this many leading bytes (its documented signature length).
SNIFF_BYTES = 8192
NAME_MAX = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def attachment_name_sanitize(name: str, *, extension: str) -> str:
    """A safe display name: no path, no control or shell characters, and the extension
    of the type actually detected (a renamed file keeps its real type's extension)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._-")[: NAME_MAX - 5] or "document"
    return f"{stem}.{extension}"


def attachment_type_detect(upload) -> str:
    """The MIME type of the upload by content, or UnsupportedMediaType (415)."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not head:
        raise ValidationFailed("The file is empty.", errors={"file": ["The file is empty."]})
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED_TYPES:
        found = f" (this file is {mime})" if mime else ""
        raise UnsupportedMediaType(
            f"Only PDF, PNG, JPEG and TIFF documents are accepted{found}.",
            errors={"file": ["Upload a PDF, PNG, JPEG or TIFF file."]},
        )
    return mime


def attachment_check(upload) -> str:
    """Size and type checks without writing anything; returns the detected MIME type."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise PayloadTooLarge(
            f"The file is {upload.size / 1048576:.1f} MB; the limit is {limit // 1048576} MB per document.",
            errors={"file": [f"At most {limit // 1048576} MB."]},
        )
    return attachment_type_detect(upload)


# PDF names that make a document act rather than show: scripts (JavaScript, JS), running
# programs (Launch), Flash/3D (RichMedia), XFA forms (scripted), files inside the file,
# and actions that send data away or open other documents (PDF 32000-1:2008, 12.6.4).
ACTIVE_PDF_NAMES = frozenset(
    {b"JavaScript", b"JS", b"Launch", b"RichMedia", b"XFA", b"EmbeddedFile", b"SubmitForm", b"ImportData", b"GoToE"}
)
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
# Compressed streams are inflated to look inside object streams; past this much inflated
# data in one file the document counts as active (a decompression bomb is not inspected).
INFLATE_MAX_BYTES = 64 * 1024 * 1024


def _pdf_names_active(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in ACTIVE_PDF_NAMES:
            return True
    return False


def pdf_has_active_content(upload) -> bool:
    """Whether a PDF carries active content (ACTIVE_PDF_NAMES), in its objects or inside
    its Flate-compressed streams (object streams hide dictionaries there). When unsure
    (too much to inflate) the answer is yes: the cost is only a plainer download."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if _pdf_names_active(data):
        return True
    budget = INFLATE_MAX_BYTES
    for stream in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(stream.group(1), budget + 1)
        except zlib.error:
            continue  # not Flate (images, other filters): no dictionaries inside
        budget -= len(inflated)
        if budget < 0:
            return True
        if _pdf_names_active(inflated):
            return True
    return False


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attachment_add_check(*, actor, case: AuthorizationRequest) -> None:
    """Documents are added until the case is withdrawn or closed (409 then)."""
    if case.status in (CaseStatus.WITHDRAWN, CaseStatus.CLOSED):
        raise Conflict(f"Case {case.reference} is {case.get_status_display().lower()}: no documents can be added.")


@transaction.atomic
def attachment_add(*, case: AuthorizationRequest, user, upload, description: str = "") -> Attachment:
    """Store a clinical document on `case` and write the event; access is checked here,
    whatever the door (404 for strangers, 403 for a role that may not attach)."""
    case_for_user(user, case.pk, need=Perm.CASE_ATTACH)
    attachment_add_check(actor=user, case=case)
    mime = attachment_check(upload)
    attachment = Attachment(
        case=case,
        original_name=attachment_name_sanitize(getattr(upload, "name", ""), extension=ALLOWED_TYPES[mime]),
        content_type=mime,
        size=upload.size,
        sha256=_sha256(upload),
        description=(description or "").strip()[:200],
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        # Kept as sent (it is the clinical record), but never served as a PDF (issue 12).
        active_content=mime == "application/pdf" and pdf_has_active_content(upload),
    )
    attachment.file.save(attachment.original_name, upload, save=False)
    # A failed insert must not leave an orphan file in storage.
    stored_name = attachment.file.name
    try:
        attachment.save(force_insert=True)
    except Exception:
        attachment.file.storage.delete(stored_name)
        raise
    events.event_attachment_added(case=case, actor=user, attachment=attachment)
    return attachment


def attachment_for_user(user, *, case_id, attachment_id) -> Attachment:
    """The one access helper for documents: 404 for a document that is missing, on another
    case, or on a case the user may not see (the same answer for all three)."""
    try:
        pk, case_pk = uuid.UUID(str(attachment_id)), uuid.UUID(str(case_id))
    except (TypeError, ValueError, AttributeError):
        raise NotFound("No such document.") from None
    attachment = (
        Attachment.objects.select_related("case__member")
        .filter(pk=pk, case_id=case_pk, case__in=cases_visible_to(user))
        .first()
    )
    if attachment is None:
        raise NotFound("No such document.")
    return attachment
