"""Fax intake (issue 18, item 1): every fax door (staff upload page, the gateway's API call)
goes through `fax_receipt_receive`. A fax is never lost: a file that fails the checks is
kept as a rejected row with a message a nurse can act on, never an error page."""

import re
import uuid
from datetime import datetime

import pypdf
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from um_portal.exceptions import Conflict, NotAllowed, NotFound, UnsupportedMediaType, ValidationFailed
from um_portal.roles import Perm, user_can

from .. import events
from ..deadlines.clocks import fax_due_compute
from ..models import Attachment, AuthorizationRequest, FaxReceipt
from .attachments import _sha256, attachment_name_sanitize, attachment_type_detect, pdf_has_active_content
from .fax_ocr import fax_ocr_request

FAX_TYPES: dict[str, str] = {"application/pdf": "pdf", "image/tiff": "tif"}
_NOT_DIGITS = re.compile(r"\D+")
_ONLY_FAX = "only PDF and TIFF files are accepted"


def _fax_user_check(user) -> None:
    if not user_can(user, Perm.CASE_ENTER_FOR_OTHERS):
        raise NotAllowed("Only UM staff and the fax gateway may file faxes.")


def _pdf_pages(upload) -> int:
    upload.seek(0)
    try:
        reader = pypdf.PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Refused("The PDF is password-protected; ask the sender to fax it again without a password.")
        return len(reader.pages)
    except _Refused:
        raise
    except Exception as error:  # pypdf raises many types on damaged files; none may reach the user as a 500
        raise _Refused(f"The PDF is damaged and cannot be read ({type(error).__name__}).") from error
    finally:
        upload.seek(0)


def _tiff_pages(upload) -> int:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            count = getattr(image, "n_frames", 1)
            for frame in range(count):  # reading each page finds a truncated or corrupt one
                image.seek(frame)
                image.load()
            return count
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        raise _Refused("The TIFF is damaged and cannot be read.") from error
    finally:
        upload.seek(0)


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n / 1024:.0f} KB"


class _Refused(Exception):
    """A check failed: the message goes on the rejected row."""


def fax_check(upload) -> tuple[str, int]:
    """The content checks of a fax file: the attachment checks (type by content, size),
    PDF or TIFF only, readable, not password-protected, 1..FAX_MAX_PAGES pages. Returns
    (mime, pages) or raises _Refused with the message for the inbox."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise _Refused(f"The file is {_size(upload.size)}; the limit is {_size(limit)} per fax.")
    try:
        mime = attachment_type_detect(upload)
    except ValidationFailed as error:  # empty
        raise _Refused(error.message) from error
    except UnsupportedMediaType as error:
        raise _Refused(f"This is not a fax: {_ONLY_FAX}.") from error
    if mime not in FAX_TYPES:
        raise _Refused(f"This is not a fax: {_ONLY_FAX} (this file is {mime}).")
    pages = _pdf_pages(upload) if mime == "application/pdf" else _tiff_pages(upload)
    if pages == 0:
        raise _Refused("The file has no pages.")
    if pages > settings.FAX_MAX_PAGES:
        raise _Refused(
            f"The fax has {pages} pages; at most {settings.FAX_MAX_PAGES} are accepted in one file. "
            "Ask the sender to fax each request separately."
        )
    return mime, pages


@transaction.atomic
def fax_receipt_receive(
    *, user, upload, source: str, received_at: datetime | None = None, sender_fax: str = ""
) -> FaxReceipt:
    """File a received fax. Returns the row: status `new` with its clock, or `rejected`
    with the reason (the file kept when it was within the size limit)."""
    _fax_user_check(user)
    now = timezone.now()
    # A time ahead of ours (a gateway's clock off) is not a receipt time: arrival is used.
    if received_at is None or received_at > now:
        received_at = now
    name = getattr(upload, "name", "") or "fax"
    fax = FaxReceipt(
        source=source,
        received_at=received_at,
        due_at=fax_due_compute(received_at=received_at),
        sender_fax=_NOT_DIGITS.sub("", sender_fax or "")[:20],
        size=upload.size,
        received_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        mime, pages = fax_check(upload)
    except _Refused as refused:
        fax.status, fax.rejection_message = FaxReceipt.Status.REJECTED, str(refused)[:300]
        fax.original_name = attachment_name_sanitize(name, extension="bin")
        if upload.size <= settings.ATTACHMENT_MAX_BYTES:
            fax.sha256 = _sha256(upload)
            _store(fax, upload)
        else:
            fax.save(force_insert=True)
        return fax
    fax.content_type, fax.pages = mime, pages
    fax.original_name = attachment_name_sanitize(name, extension=FAX_TYPES[mime])
    fax.sha256 = _sha256(upload)
    fax.active_content = mime == "application/pdf" and pdf_has_active_content(upload)
    _store(fax, upload)
    fax_ocr_request(fax=fax)  # OCR pre-fill (issue 18, item 2), after commit
    return fax


def _store(fax: FaxReceipt, upload) -> None:
    fax.file.save(fax.original_name, upload, save=False)
    stored_name = fax.file.name
    try:
        fax.save(force_insert=True)
    except Exception:
        fax.file.storage.delete(stored_name)  # a failed insert leaves no orphan file
        raise


def fax_for_user(user, fax_id) -> FaxReceipt:
    """The one access helper for faxes: staff who key requests see them; 404 otherwise."""
    try:
        pk = uuid.UUID(str(fax_id))
    except (TypeError, ValueError, AttributeError):
        raise NotFound("No such fax.") from None
    fax = FaxReceipt.objects.filter(pk=pk).first() if user_can(user, Perm.CASE_ENTER_FOR_OTHERS) else None
    if fax is None:
        raise NotFound("No such fax.")
    return fax


def fax_receipt_key(*, user, fax_id, case: AuthorizationRequest) -> Attachment:
    """The nurse submitted a case keyed from this fax (call inside the submit's transaction):
    the case keeps the fax as its first document (the same stored file, dated at receipt)
    and the fax is marked keyed. A fax keyed again (several requests in one) stays keyed."""
    _fax_user_check(user)
    fax = FaxReceipt.objects.select_for_update().filter(pk=fax_for_user(user, fax_id).pk).get()
    target = FaxReceipt.Status.KEYED
    if target not in FaxReceipt.TRANSITIONS[fax.status]:
        raise Conflict(f"This fax is {fax.get_status_display().lower()}; it cannot be keyed.", code="fax_not_keyable")
    attachment = Attachment(
        case=case,
        file=fax.file.name,  # stored once: the document points at the fax's file
        original_name=fax.original_name,
        content_type=fax.content_type,
        size=fax.size,
        sha256=fax.sha256,
        description=f"Fax received {timezone.localtime(fax.received_at):%Y-%m-%d %H:%M}",
        uploaded_by=user,
        active_content=fax.active_content,
    )
    attachment.save(force_insert=True)
    # The fax is the case's first document: it was received before anything sent with it.
    Attachment.objects.filter(pk=attachment.pk).update(uploaded_at=fax.received_at)
    events.event_attachment_added(case=case, actor=user, attachment=attachment)
    fax.cases.add(case)
    FaxReceipt.objects.filter(pk=fax.pk).update(
        status=target, keyed_at=fax.keyed_at or timezone.now(), keyed_by=fax.keyed_by_id or user.pk
    )
    return attachment


def fax_inbox(user, *, limit: int = 200) -> list[FaxReceipt]:
    """Faxes not keyed yet and rejected ones, oldest first (one query)."""
    _fax_user_check(user)
    return list(
        FaxReceipt.objects.filter(status__in=[FaxReceipt.Status.NEW, FaxReceipt.Status.REJECTED]).order_by(
            "received_at", "id"
        )[:limit]
    )
