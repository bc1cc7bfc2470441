"""PAS writes: a request creates a case through the same intake the pages use; an update
changes its lines or cancels it through the same services; a resend answers the same case.
Every path runs in one transaction: a refused request writes nothing."""

import copy
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases import events
from cases.access import cases_visible_to
from cases.models import DECIDED_STATUSES, CaseStatus, ChangeKind, Channel, ReviewType
from cases.selectors import npi_resolve
from cases.services.attachments import attachment_add
from cases.services.intake import authorization_submit
from cases.services.lines import case_lines_change
from reviews.services.authorization_changes import authorization_change_request
from reviews.services.provider_requests import case_withdraw
from um_portal.exceptions import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from um_portal.roles import Perm, user_can

from .mapping import insurer_check, member_for_request, submitter_key
from .models import PasSubmission
from .outcomes import FhirError, from_domain_error
from .parsing import CONTINUING, Item, PasRequest
from .portal_cases import portal_case_submission

DOCUMENT_REFUSED = (UnsupportedMediaType, PayloadTooLarge, ValidationFailed)
# An inquiry answers at most this many authorizations (a member's requests from one office
# in a plan year stay far below it); a page of the newest would need paging PAS lacks.
MAX_INQUIRY_MATCHES = 100


def _identifier(request: PasRequest) -> tuple[str, str]:
    for identifier in request.claim_identifiers:
        if identifier.get("value"):
            return identifier.get("system") or "", str(identifier["value"])[:120]
    raise FhirError(
        "The Claim needs an identifier (the submitter's trace number).", code="required", expression="Claim.identifier"
    )


def _stored_bundle(request: PasRequest) -> dict:
    """The request as kept for the answer: attachment bytes live in case documents."""
    bundle = copy.deepcopy(request.bundle)
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") == "Binary":
            resource.pop("data", None)
        for content in resource.get("content") or [] if resource.get("resourceType") == "DocumentReference" else []:
            (content.get("attachment") or {}).pop("data", None)
    return bundle


def _lines(request: PasRequest, items: list[Item], today: date) -> list[dict]:
    lines = []
    for item in items:
        start, end = item.start_date, item.end_date
        if start is None:
            start = end = today
            request.assumptions.append(
                f"Item {item.sequence} gives no date of service (serviced[x], the requested service or the "
                f"encounter): the date of receipt, {today}, was used."
            )
        lines.append(
            {
                "code_system": item.code_system,
                "code": item.code,
                "units": item.units,
                "start_date": start,
                "end_date": end,
            }
        )
    return lines


def _review_type(request: PasRequest, lines: list[dict], today: date) -> str:
    if any(item.certification_type in CONTINUING for item in request.items):
        return ReviewType.CONCURRENT
    if lines and max(line["end_date"] for line in lines) < today:
        return ReviewType.RETROSPECTIVE
    return ReviewType.PROSPECTIVE


def _documents_attach(*, case, user, request: PasRequest) -> list[str]:
    """Documents from the Bundle, through the upload checks; a refused one is noted, not fatal."""
    refused = []
    for name, content_type, content, description in request.documents:
        upload = SimpleUploadedFile(name, content, content_type=content_type or "application/octet-stream")
        try:
            attachment_add(case=case, user=user, upload=upload, description=description)
        except DOCUMENT_REFUSED as exc:
            refused.append(f"The document '{name}' in the request was not stored: {exc.message}")
    return refused


def _record_notes(*, case, user, notes: list[str]) -> None:
    for note in dict.fromkeys(notes):
        events.event_note_added(case=case, actor=user, text=f"PAS request: {note}")


def _prior(user, identifiers) -> PasSubmission | None:
    wanted = [
        (i.get("system") or "", str(i.get("value"))) for i in identifiers if isinstance(i, dict) and i.get("value")
    ]
    if not wanted:
        return None
    match = Q()
    for system, value in wanted:
        match |= Q(identifier_system=system, identifier_value=value) | Q(case__reference=value)
    submissions = PasSubmission.objects.filter(match, submitter=submitter_key(user)).select_related("case")
    return submissions.order_by("-received_at", "-pk").first()


def pas_submit_check(*, user) -> None:
    """The role first, before the body is read: a refused caller learns nothing more."""
    if not (user_can(user, Perm.CASE_SUBMIT) or user_can(user, Perm.CASE_ENTER_FOR_OTHERS)):
        raise FhirError("Your role does not allow submitting requests.", code="forbidden", status=403)


def pas_submit(*, user, request: PasRequest) -> tuple[PasSubmission, bool]:
    """(the submission answered, created?) for a PAS request: a new case, an update or
    cancel of an earlier one, or the earlier answer again for a resend."""
    pas_submit_check(user=user)
    system, value = _identifier(request)
    resent = PasSubmission.objects.filter(
        submitter=submitter_key(user), identifier_system=system, identifier_value=value
    ).first()
    if resent is not None:
        return resent, False
    insurer_check(request)
    try:
        with transaction.atomic():
            if request.is_update:
                submission = _update(user=user, request=request, identifier=(system, value))
            else:
                submission = _create(user=user, request=request, identifier=(system, value))
    except DomainError as exc:
        raise from_domain_error(exc) from exc
    except IntegrityError:
        # The same Claim sent twice at once: the first one won; answer it.
        resent = PasSubmission.objects.filter(
            submitter=submitter_key(user), identifier_system=system, identifier_value=value
        ).first()
        if resent is None:
            raise
        return resent, False
    return submission, True


def _create(*, user, request: PasRequest, identifier: tuple[str, str]) -> PasSubmission:
    member = member_for_request(request)
    today = timezone.localdate()
    items = [item for item in request.items if not item.cancelled]
    if not items:
        raise FhirError(
            "Every item is cancelled: there is nothing to request.", code="business-rule", expression="Claim.item"
        )
    lines = _lines(request, items, today)
    expedited_reason = ""
    if request.urgency == "expedited":
        why = "X12 level of service U" if request.level_of_service == "U" else "priority stat"
        expedited_reason = f"Submitted as urgent through Da Vinci PAS ({why})."
    case = authorization_submit(
        user=user,
        member_number=member.member_number,
        member_date_of_birth=member.date_of_birth,
        requesting_provider_npi=request.requester_npi,
        servicing_provider_npi=request.servicer_npi,
        service_category=items[0].category,
        review_type=_review_type(request, lines, today),
        urgency=request.urgency,
        expedited_reason=expedited_reason,
        diagnosis_codes=request.diagnoses,
        lines=lines,
        clinical_summary="\n".join(request.notes),
        place_of_service=next((i.place_of_service for i in items if i.place_of_service), ""),
        confirm_duplicate=True,
        door=Channel.FHIR,
        diagnosis_required=False,
    )
    refused = _documents_attach(case=case, user=user, request=request)
    _record_notes(case=case, user=user, notes=request.assumptions + refused)
    return _submission_save(
        user=user,
        request=request,
        case=case,
        kind=PasSubmission.Kind.SUBMIT,
        identifier=identifier,
        sequences={line_number: item.sequence for line_number, item in enumerate(items, start=1)},
    )


def _submission_save(*, user, request, case, kind, identifier, sequences: dict) -> PasSubmission:
    return PasSubmission.objects.create(
        case=case,
        kind=kind,
        submitter=submitter_key(user),
        submitted_by=user,
        identifier_system=identifier[0],
        identifier_value=identifier[1],
        claim_full_url=request.claim_full_url,
        item_sequences={str(k): v for k, v in sequences.items()},
        request_bundle=_stored_bundle(request),
        received_at=timezone.now(),
    )


def _update(*, user, request: PasRequest, identifier: tuple[str, str]) -> PasSubmission:
    prior = _prior(user, request.related)
    if prior is None or not cases_visible_to(user).filter(pk=prior.case_id).exists():
        raise FhirError(
            "Claim.related names no earlier request of yours: send the prior Claim's identifier or the "
            "authorization number.",
            code="not-found",
            expression="Claim.related",
            status=404,
        )
    case = prior.case
    by_sequence = {int(seq): int(line) for line, seq in prior.item_sequences.items()}
    if request.is_cancel:
        case_withdraw(case=case, user=user, reason="Cancelled by the requester (Da Vinci PAS, certification type 3).")
        return _submission_save(
            user=user,
            request=request,
            case=case,
            kind=PasSubmission.Kind.CANCEL,
            identifier=identifier,
            sequences={line: seq for seq, line in by_sequence.items()},
        )
    if case.status in DECIDED_STATUSES or case.status == CaseStatus.CLOSED:
        # A decided request: the update asks to change the authorization it holds (issue 19).
        return _authorization_change(user=user, request=request, case=case, by_sequence=by_sequence,
                                     identifier=identifier)  # fmt: skip
    today = timezone.localdate()
    add, change, cancel, added_items = [], {}, [], []
    for item in request.items:
        line_number = by_sequence.get(item.sequence)
        if item.cancelled:
            if line_number is None:
                raise FhirError(
                    f"Item {item.sequence} cancels a line the earlier request did not have.", expression="Claim.item"
                )
            cancel.append(line_number)
        elif line_number is None or item.info_changed == "added":
            add.append(_lines(request, [item], today)[0])
            added_items.append(item)
        elif item.info_changed == "changed":
            change[line_number] = _lines(request, [item], today)[0]
    result = case_lines_change(
        case_id=case.pk, user=user, add=add, change=change, cancel=cancel, reason="Da Vinci PAS update."
    )
    sequences = {line: seq for seq, line in by_sequence.items()}
    sequences.update(dict(zip(result["added"], (item.sequence for item in added_items), strict=True)))
    refused = _documents_attach(case=case, user=user, request=request)
    _record_notes(case=case, user=user, notes=request.assumptions + refused)
    return _submission_save(
        user=user,
        request=request,
        case=case,
        kind=PasSubmission.Kind.UPDATE,
        identifier=identifier,
        sequences=sequences,
    )


def _authorization_change(*, user, request: PasRequest, case, by_sequence: dict, identifier) -> PasSubmission:
    """An update of a decided request, through the same service as the page and the API
    (`authorization_change_request`): cancelled items cancel the authorization's lines at
    once; a changed item asks for more units (a higher quantity) or a later end date, as a
    change request of its own, which the submission then answers. One kind of change per
    update; a new service needs a new request. Refusals (denied, expired, a change already
    open) come from the service with its message."""
    cancel, units, ends = [], [], []
    for item in request.items:
        line_number = by_sequence.get(item.sequence)
        if line_number is None or item.info_changed == "added":
            raise FhirError(
                f"Item {item.sequence} adds a service to a request already decided: send it as a new request.",
                code="conflict",
                expression="Claim.item",
                status=409,
            )
        if item.cancelled:
            cancel.append({"line": line_number})
        elif item.info_changed == "changed":
            line = case.lines.filter(line_number=line_number).first()
            approved = (line.approved_units or 0) if line else 0
            if item.units and item.units > approved:
                units.append({"line": line_number, "units": item.units - approved})
            if item.end_date and line and item.end_date > line.end_date:
                ends.append((line_number, item.end_date))
    if units and ends:
        raise FhirError(
            "Ask for more units and a later end date in two updates: each is a change request of its own.",
            expression="Claim.item",
        )
    if len({end for _, end in ends}) > 1:
        raise FhirError("Changed items ask for different end dates: send one update per end date.",
                        expression="Claim.item")  # fmt: skip
    reason = "Da Vinci PAS update."
    answered = case
    if cancel:
        authorization_change_request(case_id=case.pk, user=user, kind=ChangeKind.CANCEL_LINES, lines=cancel,
                                     reason=reason, channel=Channel.FHIR)  # fmt: skip
    if units:
        answered = authorization_change_request(case_id=case.pk, user=user, kind=ChangeKind.ADD_UNITS, lines=units,
                                                reason=reason, channel=Channel.FHIR)  # fmt: skip
    elif ends:
        answered = authorization_change_request(
            case_id=case.pk, user=user, kind=ChangeKind.EXTEND, lines=[{"line": n} for n, _ in ends],
            end_date=ends[0][1], reason=reason, channel=Channel.FHIR,
        )  # fmt: skip
    elif not cancel:
        raise FhirError("The update changes nothing on the authorization.", expression="Claim.item")
    if answered is case:
        sequences = {line: seq for seq, line in by_sequence.items()}
        kind = PasSubmission.Kind.UPDATE
    else:  # the change request's lines answer the items they came from
        details = answered.change_details.get("lines") or []
        sequence_of = {line: seq for seq, line in by_sequence.items()}
        sequences = {d["change_line"]: sequence_of[d["line"]] for d in details}
        kind = PasSubmission.Kind.SUBMIT
    return _submission_save(
        user=user, request=request, case=answered, kind=kind, identifier=identifier, sequences=sequences
    )


def pas_inquire(*, user, request: PasRequest) -> list[PasSubmission]:
    """The latest submission of every case matching the inquiry: the member, a provider of
    the request, the trace numbers when given; only cases the caller may see, sent by the
    caller's organization. A foreign member or NPI matches nothing."""
    member = member_for_request(request, required=False)
    organization, _ = npi_resolve(request.requester_npi)
    if member is None or organization is None:
        return []
    own = getattr(user, "organization_id", None)
    if own is not None and own != organization.pk:
        return []
    cases = (
        cases_visible_to(user)
        .filter(member=member)
        .filter(Q(requesting_organization=organization) | Q(servicing_organization=organization))
    )
    submissions = PasSubmission.objects.filter(case__in=cases, submitter=submitter_key(user))
    traces = [str(i.get("value")) for i in request.claim_identifiers if i.get("value")]
    if traces:
        matching = PasSubmission.objects.filter(
            Q(identifier_value__in=traces) | Q(case__reference__in=traces), submitter=submitter_key(user)
        ).values("case_id")
        submissions = submissions.filter(case_id__in=matching)
    latest: dict = {}
    for submission in submissions.select_related("case").order_by("received_at", "pk"):
        latest[submission.case_id] = submission
    # Requests that came another way (page, API, fax): described as PAS would have had them.
    others = (
        cases.exclude(pas_submissions__isnull=False)
        .select_related("member", "requesting_organization")
        .prefetch_related("lines")
    )
    if traces:
        others = others.filter(reference__in=traces)
    for case in others.order_by("received_at")[:MAX_INQUIRY_MATCHES]:
        latest[case.pk] = portal_case_submission(case)
    return list(latest.values())[:MAX_INQUIRY_MATCHES]
