"""Fax intake (issue 18, item 1): every fax door (staff upload page, the gateway's API call)
goes through `fax_receipt_receive`. A fax is never lost: a file that fails the checks is
kept as a rejected row with a message a nurse can act on, never an error page."""

import re
import uuid
from datetime import datetime, timedelta

import pypdf
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from um_portal.exceptions import Conflict, NotAllowed, NotFound, UnsupportedMediaType, ValidationFailed
from um_portal.roles import Perm, user_can

from .. import events
from ..deadlines.alerts import alert_next_at, alert_thresholds
from ..deadlines.clocks import fax_due_compute
from ..models import Attachment, AuthorizationRequest, FaxEvent, FaxReceipt
from .attachments import (
    _sha256,
    attachment_add_check,
    attachment_name_sanitize,
    attachment_type_detect,
    pdf_has_active_content,
)
from .fax_ocr import fax_ocr_request

FAX_TYPES: dict[str, str] = {"application/pdf": "pdf", "image/tiff": "tif"}
_NOT_DIGITS = re.compile(r"\D+")
_ONLY_FAX = "only PDF and TIFF files are accepted"


def _fax_user_check(user) -> None:
    if not user_can(user, Perm.CASE_ENTER_FOR_OTHERS):
        raise NotAllowed("Only UM staff who key requests may do this with a fax.")


def _fax_receive_check(user, source: str) -> None:
    # The watched folder files faxes as the system (no user); every other door needs the
    # permission, which the gateway's service account holds alone.
    if user is None and source == FaxReceipt.Source.FOLDER:
        return
    if not user_can(user, Perm.FAX_RECEIVE):
        raise NotAllowed("Only UM staff and the fax gateway may file faxes.")


def fax_event_record(
    *, fax: FaxReceipt, kind: str, actor=None, old: str = "", new: str = "", message: str = "", data=None, case=None
) -> FaxEvent:
    """The one writer of fax events (append-only): every status change, resend and alert."""
    return FaxEvent.objects.create(
        fax=fax,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        old_status=old,
        new_status=new,
        message=message[:300],
        data=data or {},
        case=case,
    )


def fax_status_set(*, fax: FaxReceipt, to_status: str, actor, message: str = "", case=None, kind: str = "") -> None:
    """Move a locked fax to `to_status` (TRANSITIONS, else 409) and record the event. An
    unkeyed fax's deadline alerts stop with it."""
    old = fax.status
    if to_status not in FaxReceipt.TRANSITIONS[old]:
        what = FaxReceipt.Status(to_status).label.lower()
        raise Conflict(f"This fax is {fax.get_status_display().lower()}; it cannot be {what}.", code="fax_status")
    fax.status = to_status
    fields = {"status": to_status}
    if to_status != FaxReceipt.Status.NEW:
        fields["alert_next_at"] = fax.alert_next_at = None
    FaxReceipt.objects.filter(pk=fax.pk).update(**fields)
    fax_event_record(fax=fax, kind=kind or to_status, actor=actor, old=old, new=to_status, message=message, case=case)


def _resend_window() -> timedelta:
    return timedelta(hours=settings.FAX_RESEND_WINDOW_HOURS)


def _resend_of(*, sha256: str, sender_fax: str, now: datetime) -> FaxReceipt | None:
    """The fax this one repeats: the same content from the same sender within the window.
    Two copies arriving at once are serialized on a lock named by content and sender."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 18))", [f"fax:{sha256}:{sender_fax}"])
    return (
        FaxReceipt.objects.select_for_update()
        .filter(sha256=sha256, sender_fax=sender_fax, arrived_at__gte=now - _resend_window())
        .order_by("arrived_at", "id")
        .first()
    )


def _resend_record(*, fax: FaxReceipt, user, source: str, received_at: datetime) -> FaxReceipt:
    FaxReceipt.objects.filter(pk=fax.pk).update(resend_count=F("resend_count") + 1)
    fax.resend_count += 1
    fax_event_record(
        fax=fax,
        kind=FaxEvent.Kind.RESENT,
        actor=user,
        message=f"The same fax arrived again ({FaxReceipt.Source(source).label.lower()}); kept once.",
        data={"source": source, "received_at": received_at.isoformat()},
    )
    fax.resent = True
    return fax


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
    *,
    user,
    upload,
    source: str,
    received_at: datetime | None = None,
    sender_fax: str = "",
    source_key: str | None = None,
) -> FaxReceipt:
    """File a received fax. Returns the row: status `new` with its clock, or `rejected`
    with the reason (the file kept when it was within the size limit). The same content
    from the same sender within FAX_RESEND_WINDOW_HOURS returns the first row (`resent`
    True on it) with the resend recorded; a `source_key` already filed returns its row
    unchanged (a retry of the same file, `retried` True)."""
    _fax_receive_check(user, source)
    if source_key:
        existing = FaxReceipt.objects.filter(source_key=source_key).first()
        if existing is not None:
            existing.retried = True
            return existing
    now = timezone.now()
    # A time ahead of ours (a gateway's clock off) is not a receipt time: arrival is used.
    if received_at is None or received_at > now:
        received_at = now
    name = getattr(upload, "name", "") or "fax"
    sender = _NOT_DIGITS.sub("", sender_fax or "")[:20]
    actor = user if getattr(user, "is_authenticated", False) else None
    due_at = fax_due_compute(received_at=received_at)
    fax = FaxReceipt(
        source=source,
        received_at=received_at,
        due_at=due_at,
        sender_fax=sender,
        size=upload.size,
        received_by=actor,
        source_key=source_key or None,
        alert_next_at=alert_next_at(alert_thresholds(received_at=received_at, decision_due_at=due_at), set()),
    )
    fax.resent = fax.retried = False
    within_limit = upload.size <= settings.ATTACHMENT_MAX_BYTES
    if within_limit:
        fax.sha256 = _sha256(upload)
        first = _resend_of(sha256=fax.sha256, sender_fax=sender, now=now)
        if first is not None:
            return _resend_record(fax=first, user=actor, source=source, received_at=received_at)
    try:
        mime, pages = fax_check(upload)
    except _Refused as refused:
        fax.status, fax.rejection_message = FaxReceipt.Status.REJECTED, str(refused)[:300]
        fax.alert_next_at = None
        fax.original_name = attachment_name_sanitize(name, extension="bin")
        if within_limit:
            _store(fax, upload)
        else:
            _insert(fax)
        fax_event_record(
            fax=fax,
            kind=FaxEvent.Kind.REJECTED,
            actor=actor,
            new=fax.status,
            message=fax.rejection_message,
            data={"source": source},
        )
        return fax
    fax.content_type, fax.pages = mime, pages
    fax.original_name = attachment_name_sanitize(name, extension=FAX_TYPES[mime])
    fax.active_content = mime == "application/pdf" and pdf_has_active_content(upload)
    _store(fax, upload)
    fax_event_record(
        fax=fax,
        kind=FaxEvent.Kind.RECEIVED,
        actor=actor,
        new=fax.status,
        message=f"{pages} page(s).",
        data={"source": source},
    )
    fax_ocr_request(fax=fax)  # OCR pre-fill (issue 18, item 2), after commit
    return fax


def _insert(fax: FaxReceipt) -> None:
    try:
        with transaction.atomic():
            fax.save(force_insert=True)
    except IntegrityError:
        if fax.source_key and FaxReceipt.objects.filter(source_key=fax.source_key).exists():
            # The same file filed by a concurrent run a moment ago.
            raise Conflict("This file was filed at the same moment by another run.", code="fax_source_key") from None
        raise


def _store(fax: FaxReceipt, upload) -> None:
    fax.file.save(fax.original_name, upload, save=False)
    stored_name = fax.file.name
    try:
        _insert(fax)
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
    attachment = _fax_document(fax=fax, case=case, user=user)
    fax.cases.add(case)
    FaxReceipt.objects.filter(pk=fax.pk).update(
        keyed_at=fax.keyed_at or timezone.now(), keyed_by=fax.keyed_by_id or user.pk
    )
    fax_status_set(fax=fax, to_status=target, actor=user, message=f"Keyed as {case.reference}.", case=case)
    return attachment


def fax_receipt_attach(*, user, fax_id, case: AuthorizationRequest) -> tuple[FaxReceipt, Attachment]:
    """A follow-up fax for an existing case (call inside the caller's transaction, the case
    locked): the fax becomes the case's document (the same stored file, dated at receipt)
    and the fax is `attached`. Answering an open request for information is the caller's
    (reviews.services.fax_followup), which owns pends."""
    _fax_user_check(user)
    fax = FaxReceipt.objects.select_for_update().filter(pk=fax_for_user(user, fax_id).pk).get()
    if FaxReceipt.Status.ATTACHED not in FaxReceipt.TRANSITIONS[fax.status]:
        raise Conflict(
            f"This fax is {fax.get_status_display().lower()}; it cannot be attached to a case.",
            code="fax_not_attachable",
        )
    attachment_add_check(actor=user, case=case)
    attachment = _fax_document(fax=fax, case=case, user=user)
    fax.cases.add(case)
    fax_status_set(
        fax=fax, to_status=FaxReceipt.Status.ATTACHED, actor=user, message=f"Attached to {case.reference}.", case=case
    )
    return fax, attachment


def _fax_document(*, fax: FaxReceipt, case: AuthorizationRequest, user) -> Attachment:
    """The fax as a document of the case (the same stored file, dated at receipt)."""
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
    return attachment


def fax_inbox_queryset(user):
    """The inbox as a queryset (the API pages it): faxes not keyed yet and rejected ones,
    oldest first, their cases prefetched for the access log."""
    _fax_user_check(user)
    return FaxReceipt.objects.filter(status__in=[FaxReceipt.Status.NEW, FaxReceipt.Status.REJECTED]).prefetch_related(
        "cases"
    )


def fax_inbox(user, *, limit: int = 200) -> list[FaxReceipt]:
    """Faxes not keyed yet and rejected ones, oldest first (one query)."""
    _fax_user_check(user)
    return list(
        FaxReceipt.objects.filter(status__in=[FaxReceipt.Status.NEW, FaxReceipt.Status.REJECTED]).order_by(
            "received_at", "id"
        )[:limit]
    )
