"""Planning and issuing notice letters.

A letter-worthy case event (decision, pend, extension, appeal decision, continuation of
care) is *planned* into one pending Letter row per kind and recipient (the unique
constraint makes planning idempotent). Each pending letter is then *issued* in one
transaction: claimed with a conditional update, rendered, checked for required content,
stored with its hash, its deliveries queued, its event written. A worker that dies half-way
rolls the whole transaction back, claim included, so the rerun starts clean.
"""

import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cases import events
from cases.models import AuthorizationRequest, CaseEvent, CaseStatus
from um_portal.enqueue import task_send
from um_portal.exceptions import Conflict, NotFound
from um_portal.roles import Role, users_with_role

from ..letters.content import content_missing
from ..letters.context import letter_context, recipient_party
from ..letters.deadlines import letter_due_at
from ..letters.kinds import LETTER_EVENT_KINDS
from ..letters.render import html_to_pdf, letter_html, sha256_hex, template_current
from ..models import Letter, LetterDelivery, Notification
from ..task_names import LETTER_EMAIL_SEND, LETTER_ISSUE

log = logging.getLogger(__name__)
K = Letter.Kind
R = Letter.Recipient
EK = CaseEvent.Kind

_DECISION_KIND = {"approved": K.APPROVAL, "denied": K.DENIAL, "partially_approved": K.PARTIAL_APPROVAL}


def event_is_letter_worthy(event: CaseEvent, case_kind: str | None = None) -> bool:
    if event.kind in LETTER_EVENT_KINDS:
        return True
    # A continuation-of-care case is opened approved: its approval calls for the CoC letters.
    return (
        event.kind == EK.STATUS_CHANGED
        and event.new_value == CaseStatus.APPROVED
        and (case_kind or event.case.kind) == AuthorizationRequest.Kind.CONTINUATION_OF_CARE
    )


def _recipients(case: AuthorizationRequest) -> list[str]:
    recipients = [R.MEMBER, R.REQUESTING_PROVIDER]
    if case.servicing_organization_id != case.requesting_organization_id:
        recipients.append(R.SERVICING_PROVIDER)
    return recipients


def letters_wanted(event: CaseEvent) -> list[tuple[str, str]]:
    """(kind, recipient) pairs a case event calls for."""
    case = event.case
    if event.kind == EK.DECISION_RECORDED:
        kind = _DECISION_KIND.get((event.data or {}).get("outcome") or event.new_value)
        if kind == K.APPROVAL and (event.data or {}).get("out_of_network"):
            # An out-of-network referral approved (issue 20): the member's letter says what
            # that means for cost sharing; the offices get the usual approval.
            return [(K.OUT_OF_NETWORK_APPROVAL if r == R.MEMBER else K.APPROVAL, r) for r in _recipients(case)]
        return [(kind, r) for r in _recipients(case)] if kind else []
    if event.kind == EK.REDIRECTION_ACCEPTED:
        return [(K.REFERRAL_REDIRECTED, R.MEMBER)]
    if event.kind == EK.INFORMATION_REQUESTED:
        return [(K.REQUEST_FOR_INFORMATION, r) for r in _recipients(case)]
    if event.kind == EK.EXTENDED:
        return [(K.EXTENSION, r) for r in _recipients(case)]
    if event.kind == EK.APPEAL_DECIDED:
        return [(K.APPEAL_DECISION, r) for r in _recipients(case)]
    if event_is_letter_worthy(event):
        return [(K.CONTINUATION_OF_CARE_MEMBER, R.MEMBER), (K.CONTINUATION_OF_CARE_PROVIDER, R.REQUESTING_PROVIDER)]
    return []


def letters_plan_for_event(*, event: CaseEvent) -> list[Letter]:
    """The event's letters, created pending with their notice deadline if not there yet."""
    letters = []
    for kind, recipient in letters_wanted(event):
        letter = Letter.objects.filter(case_id=event.case_id, kind=kind, recipient=recipient, event=event).first()
        if letter is None:
            due = letter_due_at(case=event.case, kind=kind, recipient=recipient, event=event)
            try:
                with transaction.atomic():
                    letter = Letter.objects.create(
                        case_id=event.case_id, kind=kind, recipient=recipient, event=event, due_at=due
                    )
            except IntegrityError:  # planned concurrently by another worker
                letter = Letter.objects.get(case_id=event.case_id, kind=kind, recipient=recipient, event=event)
        letters.append(letter)
    return letters


def _deliveries(letter: Letter, now) -> list[LetterDelivery]:
    case = letter.case
    party = recipient_party(letter)
    if letter.recipient == R.MEMBER:
        return [LetterDelivery(letter=letter, channel=LetterDelivery.Channel.MAIL, destination=party.address)]
    org = case.requesting_organization if letter.recipient == R.REQUESTING_PROVIDER else case.servicing_organization
    rows = [
        LetterDelivery(
            letter=letter, channel=LetterDelivery.Channel.PORTAL, status=LetterDelivery.Status.SENT, sent_at=now
        )
    ]
    if org.fax:
        rows.append(LetterDelivery(letter=letter, channel=LetterDelivery.Channel.FAX, destination=org.fax))
    else:
        rows.append(LetterDelivery(letter=letter, channel=LetterDelivery.Channel.MAIL, destination=party.address))
    if org.fax_only:
        return rows  # a fax-only office gets no e-mail about a portal it does not use
    emails = sorted(set(org.users.filter(is_active=True).exclude(email="").values_list("email", flat=True)))
    if emails:
        rows.append(LetterDelivery(letter=letter, channel=LetterDelivery.Channel.EMAIL, destination=", ".join(emails)))
    return rows


def letter_issue(*, letter_id) -> Letter | None:
    """Issue one pending letter, exactly once. Returns the letter (issued or blocked), or
    None when it was not pending (already issued, blocked, or being issued elsewhere)."""
    with transaction.atomic():
        # The claim: only one transaction can move it out of pending; a concurrent one waits
        # on the row lock and then touches nothing.
        claimed = Letter.objects.filter(pk=letter_id, status=Letter.Status.PENDING).update(
            status=Letter.Status.RENDERING, attempts=F("attempts") + 1
        )
        if claimed != 1:
            return None
        letter = Letter.objects.select_related("event", "continuation_run__agreement__organization").get(pk=letter_id)
        now = timezone.now()
        template = template_current(kind=letter.kind)
        context = letter_context(letter, now=now)
        markup, text = letter_html(template=template, context=context)
        missing = content_missing(letter.kind, context, text)
        party = recipient_party(letter)
        letter.template = template
        letter.recipient_name, letter.recipient_address = party.name, party.address
        if missing:
            letter.status, letter.missing = Letter.Status.BLOCKED, missing
            letter.save(update_fields=["status", "missing", "template", "recipient_name", "recipient_address"])
            events.event_letter_blocked(case=letter.case, kind=letter.kind, missing=missing)
            message = f"Letter held on {letter.case.reference}: {letter.get_kind_display().lower()} letter is missing "
            message = (message + ", ".join(missing) + ".")[:300]
            # One alert per held event, not one per recipient of the same letter.
            siblings_held = (
                Letter.objects.filter(case=letter.case, kind=letter.kind, status=Letter.Status.BLOCKED)
                .filter(event=letter.event, continuation_run=letter.continuation_run)
                .exclude(pk=letter.pk)
                .exists()
            )
            if not siblings_held:
                Notification.objects.bulk_create(
                    [
                        Notification(user=u, kind=Notification.Kind.LETTER_BLOCKED, case=letter.case, message=message)
                        for u in users_with_role(Role.ADMIN)
                    ]
                )
            log.warning("Letter %s held: missing %s", letter.pk, missing)
            return letter
        pdf, pages = html_to_pdf(markup)
        name = letter.pdf.field.generate_filename(letter, "letter.pdf")
        if letter.pdf.storage.exists(name):  # left by a worker that died before committing
            letter.pdf.storage.delete(name)
        letter.pdf.save(name, ContentFile(pdf), save=False)
        letter.sha256 = sha256_hex(pdf)
        letter.page_count = pages
        letter.issued_at = now
        letter.status, letter.missing = Letter.Status.ISSUED, []
        letter.save(
            update_fields=[
                "status",
                "missing",
                "template",
                "recipient_name",
                "recipient_address",
                "pdf",
                "sha256",
                "page_count",
                "issued_at",
            ]
        )
        deliveries = LetterDelivery.objects.bulk_create(_deliveries(letter, now))
        events.event_letter_issued(case=letter.case, letter=letter)
        for delivery in deliveries:
            if delivery.channel == LetterDelivery.Channel.EMAIL:
                transaction.on_commit(lambda pk=delivery.pk: task_send(LETTER_EMAIL_SEND, pk))
    return letter


@transaction.atomic
def letter_retry(*, letter: Letter, actor) -> Letter:
    """Put a held letter back in line (after its template or the case data was fixed)."""
    touched = Letter.objects.filter(pk=letter.pk, status=Letter.Status.BLOCKED).update(
        status=Letter.Status.PENDING, missing=[]
    )
    if touched != 1:
        raise Conflict("Only a held letter can be tried again.")
    transaction.on_commit(lambda: task_send(LETTER_ISSUE, str(letter.pk)))
    letter.refresh_from_db()
    return letter


def letters_generate_for_event(*, event_id: int) -> list[Letter]:
    """Plan the event's letters and issue every pending one. Safe to run any number of times."""
    event = CaseEvent.objects.select_related("case").filter(pk=event_id).first()
    if event is None:
        raise NotFound(f"No case event {event_id}.")
    letters = letters_plan_for_event(event=event)
    for letter in letters:
        if letter.status == Letter.Status.PENDING:
            letter_issue(letter_id=letter.pk)
    return list(Letter.objects.filter(pk__in=[x.pk for x in letters]))


def letter_delivery_mark_sent(*, deliveries, actor) -> int:
    """Operations marks printed mail or sent faxes; each is marked once."""
    ids = [d.pk for d in deliveries]
    return LetterDelivery.objects.filter(pk__in=ids, status=LetterDelivery.Status.PENDING).update(
        status=LetterDelivery.Status.SENT, sent_at=timezone.now(), sent_by=actor
    )
