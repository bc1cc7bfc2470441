"""Changes to an authorization an office holds (issue 19, item 3): add units or visits,
extend the end date, change the servicing provider, cancel lines.

Every change but a cancellation is a request of its own: a case linked to the one whose
authorization it would change (`change_of`, `change_kind`, `change_details`), with its own
clock (a new request for clock purposes; Maryland's 1-business-day period for "extended
stay or added services" applies to added units and extensions, RULES.md section 1), its own
decision, letters and events. Its decision (`decision_record`) applies what was approved to
the authorization as a new version. Cancelling lines needs no review: recorded at once.

One door for all: the case page, the API and the Da Vinci PAS update call
`authorization_change_request`. A change on a denied, withdrawn or expired authorization is
refused with a message and nothing is written.

Lock order, on every path: the change request's case (held by the decision service), then
the original case, then its authorization, then the authorization's lines (by pk). Asking
for a change locks the original case, then the authorization; applying an approved change
locks the original case before the authorization (it locked the authorization with the
case in one statement before, which could wait on the case while holding the
authorization); importing units used (`authorizations.authorization_units_import`) locks
the cases before the lines."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.access import case_for_user
from cases.models import (
    OPEN_STATUSES,
    AuthorizationRequest,
    CaseStatus,
    ChangeKind,
    Channel,
    ServiceLine,
    Urgency,
)
from cases.selectors import npi_resolve
from cases.services.intake import MAX_DAYS_AHEAD, case_create
from cases.services.workflow import case_lock
from um_portal import timefmt
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed
from um_portal.roles import Perm

from ..models import Authorization, AuthorizationLine, AuthorizationVersion
from .servicing import servicing_provider_change

REASON_MAX = 2000
# No office asks for tens of thousands of visits; a bigger number is a typing mistake.
UNITS_MAX = 9999


def authorization_change_check(*, actor, case: AuthorizationRequest) -> None:
    """Who may ask and on what (the case page's button asks the same): the requesting or the
    servicing office (403 otherwise), on a case holding an authorization that has not expired
    and has no change open (409 otherwise, with what to do instead)."""
    own = getattr(actor, "organization_id", None)
    if own is None or own not in (case.requesting_organization_id, case.servicing_organization_id):
        raise NotAllowed(
            f"Only the requesting or the servicing office of {case.reference} can ask to change its authorization.",
            code="not_provider_of_case",
        )
    if case.change_of_id is not None:
        raise Conflict(
            f"{case.reference} is itself a change request: ask for further changes on the original request.",
            code="change_of_change",
        )
    if case.status in (CaseStatus.DENIED, CaseStatus.WITHDRAWN) or case.is_open:
        raise Conflict(
            f"Case {case.reference} is {case.get_status_display().lower()}: it holds no authorization to change. "
            "Send a new request instead.",
            code="no_authorization",
        )
    try:  # select_related by the case pages (no query there)
        authorization = case.authorization
    except Authorization.DoesNotExist:
        authorization = None
    if authorization is None:
        raise Conflict(
            f"Case {case.reference} holds no authorization to change. Send a new request instead.",
            code="no_authorization",
        )
    today = timezone.localdate()
    if authorization.valid_to < today:
        raise Conflict(
            f"Authorization {authorization.number} expired on {timefmt.day(authorization.valid_to)}: it can no "
            "longer be changed. Send a new request instead.",
            code="authorization_expired",
        )
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("change_requests")
    if prefetched is not None:  # the case pages
        open_change = next((c.reference for c in prefetched if c.status in OPEN_STATUSES), None)
    else:
        open_change = (
            AuthorizationRequest.objects.filter(change_of=case, status__in=OPEN_STATUSES)
            .values_list("reference", flat=True)
            .first()
        )
    if open_change is not None:
        raise Conflict(
            f"Authorization {authorization.number} already has an open change request, {open_change}: wait for "
            "its decision (or withdraw it) before asking for another.",
            code="change_open",
        )


@dataclass
class _Asked:
    kind: str
    lines: list[AuthorizationLine]
    units: dict[int, int]  # line number -> units to add (add_units)
    end_date: date | None
    organization: object = None
    practitioner: object = None


def _whole(value, *, at_least: int, at_most: int | None = None) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if str(value).strip() != str(number) and not isinstance(value, int):
        return None
    if number < at_least or (at_most is not None and number > at_most):
        return None
    return number


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _asked_clean(*, authorization: Authorization, kind, lines, end_date, servicing_provider_npi, reason) -> _Asked:
    """The input checked before anything is written: every problem at once (400)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in ChangeKind.values:
        add("kind", f"kind must be one of: {', '.join(ChangeKind.values)}.")
    if not (reason or "").strip():
        add("reason", "Say why the change is needed.")
    elif len(reason) > REASON_MAX:
        add("reason", f"At most {REASON_MAX} characters.")
    by_number = {line.line_number: line for line in authorization.lines.all()}
    by_id = {line.pk: line for line in by_number.values()}
    chosen: list[AuthorizationLine] = []
    units: dict[int, int] = {}
    for n, raw in enumerate(lines or [], start=1):
        raw = raw if isinstance(raw, dict) else {}
        if raw.get("line") is None and raw.get("id") is not None:  # the contract's name: the line's id
            line_id = _whole(raw.get("id"), at_least=1)
            line = by_id.get(line_id) if line_id is not None else None
            if line is None:
                add("lines", f"Item {n}: 'id' must be the id of a line of authorization {authorization.number}.")
                continue
            number = line.line_number
        else:
            number = _whole(raw.get("line"), at_least=1)
            line = by_number.get(number) if number is not None else None
        if line is None:
            add("lines", f"Item {n}: 'line' must be the number of a line of authorization {authorization.number}.")
            continue
        if line.cancelled_at is not None:
            add("lines", f"Line {number} of {authorization.number} was cancelled: it can no longer change.")
            continue
        if line in chosen:
            add("lines", f"Line {number} is named twice.")
            continue
        chosen.append(line)
        if kind == ChangeKind.ADD_UNITS:
            more = _whole(raw.get("units"), at_least=1, at_most=UNITS_MAX)
            if more is None:
                add("lines", f"Line {number}: units to add must be a whole number from 1 to {UNITS_MAX}.")
            else:
                units[number] = more
    open_lines = [line for line in by_number.values() if line.cancelled_at is None]
    if kind in (ChangeKind.EXTEND, ChangeKind.CHANGE_SERVICING_PROVIDER) and not chosen and not errors.get("lines"):
        chosen = open_lines  # the whole authorization
    if kind in (ChangeKind.ADD_UNITS, ChangeKind.CANCEL_LINES) and not chosen and not errors.get("lines"):
        add("lines", "Name at least one line of the authorization.")
    asked = _Asked(kind=kind, lines=sorted(chosen, key=lambda line: line.line_number), units=units, end_date=None)
    if kind == ChangeKind.EXTEND:
        asked.end_date = _date(end_date) if end_date not in (None, "") else None
        today = timezone.localdate()
        if asked.end_date is None:
            add("end_date", "Give the new end date (YYYY-MM-DD).")
        else:
            for line in asked.lines:
                if asked.end_date < line.start_date:
                    add("end_date", f"The new end date is before line {line.line_number}'s start, "
                        f"{timefmt.day(line.start_date)}.")  # fmt: skip
                elif asked.end_date <= line.end_date:
                    add("end_date", f"The new end date must be after line {line.line_number}'s current end, "
                        f"{timefmt.day(line.end_date)}.")  # fmt: skip
                elif line.units_left < 1:
                    add("lines", f"Line {line.line_number} has no units left to use: ask to add units instead.")
            if asked.end_date > today + timedelta(days=MAX_DAYS_AHEAD):
                add("end_date", f"The new end date is more than {MAX_DAYS_AHEAD} days ahead.")
    if kind == ChangeKind.CHANGE_SERVICING_PROVIDER:
        npi = (servicing_provider_npi or "").strip()
        organization, practitioner = npi_resolve(npi) if npi else (None, None)
        current = authorization.servicing_organization_id or authorization.case.servicing_organization_id
        if not npi:
            add("servicing_provider_npi", "Give the NPI of the new servicing provider.")
        elif organization is None:
            add("servicing_provider_npi", f"NPI {npi} is not in the plan's provider directory.")
        elif organization.pk == current:
            add("servicing_provider_npi", f"{organization.name} is already the servicing provider.")
        elif not any(a.is_active_on(timezone.localdate()) for a in organization.agreements.all()):
            add("servicing_provider_npi", f"{organization.name} (NPI {npi}) has no provider agreement in force.")
        asked.organization, asked.practitioner = organization, practitioner
        if not errors and not [line for line in asked.lines if line.units_left > 0]:
            add("lines", "No units are left to move to another provider.")
    if errors:
        raise ValidationFailed("The change cannot be asked for.", errors=errors)
    return asked


@transaction.atomic
def authorization_change_request(
    *,
    case_id,
    user,
    kind: str,
    lines: list[dict] | None = None,
    end_date=None,
    servicing_provider_npi: str = "",
    reason: str = "",
    urgency: str = Urgency.STANDARD,
    channel: str = Channel.PORTAL,
) -> AuthorizationRequest:
    """Ask to change the authorization of case `case_id`. `lines`: [{"line", "units"}] for
    add_units, [{"line"}] for cancel_lines and (optional: all open lines) extend and
    change_servicing_provider. Returns the change request (a new case), or for
    cancel_lines the original case, its authorization already changed."""
    case_for_user(user, case_id, need=Perm.CASE_SUBMIT)  # 404 for strangers, 403 for the role
    case = case_lock(case_id=case_id)
    authorization_change_check(actor=user, case=case)
    authorization = Authorization.objects.select_for_update().select_related("case").get(case=case)
    asked = _asked_clean(
        authorization=authorization,
        kind=kind,
        lines=lines,
        end_date=end_date,
        servicing_provider_npi=servicing_provider_npi,
        reason=reason,
    )
    reason = reason.strip()
    if kind == ChangeKind.CANCEL_LINES:
        _lines_cancel(authorization=authorization, lines=asked.lines, user=user, reason=reason)
        return case
    if urgency not in Urgency.values:
        raise ValidationFailed("The change cannot be asked for.", errors={"urgency": ["standard or expedited."]})
    return _change_case_create(case=case, authorization=authorization, asked=asked, user=user, reason=reason,
                               urgency=urgency, channel=channel)  # fmt: skip


def _change_case_create(*, case, authorization, asked: _Asked, user, reason, urgency, channel) -> AuthorizationRequest:
    today = timezone.localdate()
    service_lines = {line.pk: line for line in ServiceLine.objects.filter(
        pk__in=[line.service_line_id for line in asked.lines])}  # fmt: skip
    rows, details_lines = [], []
    for line in asked.lines:
        original = service_lines[line.service_line_id]
        base = {"code_system": original.code_system, "code": original.code, "description": original.description}
        if asked.kind == ChangeKind.ADD_UNITS:
            row = {**base, "units": asked.units[line.line_number], "start_date": line.start_date,
                   "end_date": line.end_date}  # fmt: skip
            details_lines.append({"line": line.line_number, "units": asked.units[line.line_number]})
        elif asked.kind == ChangeKind.EXTEND:
            row = {**base, "units": line.units_left, "start_date": line.end_date + timedelta(days=1),
                   "end_date": asked.end_date}  # fmt: skip
            details_lines.append({"line": line.line_number, "end_date": asked.end_date.isoformat()})
        else:  # the units left move to the new servicing provider, from today
            start = max(line.start_date, today)
            if line.units_left < 1 or start > line.end_date:
                continue
            row = {**base, "units": line.units_left, "start_date": start, "end_date": line.end_date}
            details_lines.append({"line": line.line_number, "units": line.units_left})
        rows.append(row)
    for n, detail in enumerate(details_lines, start=1):
        detail["change_line"] = n
    servicing = asked.organization or authorization.servicing_organization or case.servicing_organization
    servicing_practitioner = asked.practitioner if asked.organization else (
        case.servicing_practitioner if servicing.pk == case.servicing_organization_id else None)  # fmt: skip
    requesting = user.organization
    change = case_create(
        member=case.member,
        requesting_organization=requesting,
        requesting_practitioner=case.requesting_practitioner if requesting.pk == case.requesting_organization_id
        else None,
        servicing_organization=servicing,
        servicing_practitioner=servicing_practitioner,
        service_category=case.service_category,
        diagnosis_codes=list(case.diagnoses.order_by("sequence").values_list("code", flat=True)),
        lines=rows,
        review_type=case.review_type,
        urgency=urgency,
        expedited_reason=reason if urgency == Urgency.EXPEDITED else "",
        clinical_summary=reason,
        place_of_service=case.place_of_service,
        channel=channel,
        submitted_by=user,
        diagnosis_required=False,
        change_of=case,
        change_kind=asked.kind,
        change_details={
            "authorization": authorization.number,
            "lines": details_lines,
            "end_date": asked.end_date.isoformat() if asked.end_date else None,
            "servicing_provider_npi": asked.organization.npi if asked.organization else "",
            "reason": reason,
        },
    )  # fmt: skip
    summary = f"{change_summary(change)} Asked in {change.reference}: {reason}"
    events.event_change_requested(case=case, actor=user, change=change, summary=summary)
    events.event_change_requested(case=change, actor=user, change=change, summary=summary)
    return change


def change_summary(change: AuthorizationRequest) -> str:
    """What a change request asks, in words (pages, events, queue)."""
    details = change.change_details or {}
    number = details.get("authorization", "")
    lines = details.get("lines") or []
    if change.change_kind == ChangeKind.ADD_UNITS:
        parts = ", ".join(f"{d['units']} to line {d['line']}" for d in lines)
        return f"Add units to {number}: {parts}."
    if change.change_kind == ChangeKind.EXTEND:
        end = date.fromisoformat(details["end_date"]) if details.get("end_date") else None
        which = ", ".join(str(d["line"]) for d in lines)
        return f"Extend {number} (line{'s' if len(lines) != 1 else ''} {which}) to {timefmt.day(end)}."
    if change.change_kind == ChangeKind.CHANGE_SERVICING_PROVIDER:
        return f"Move {number} to {change.servicing_organization.name} (NPI {details.get('servicing_provider_npi')})."
    return f"Change {number}."


def _snapshot(authorization: Authorization) -> list[dict]:
    return [
        {
            "line": line.line_number,
            "code": line.code,
            "approved_units": line.approved_units,
            "start_date": line.start_date.isoformat(),
            "end_date": line.end_date.isoformat(),
            "cancelled": line.cancelled_at is not None,
        }
        for line in AuthorizationLine.objects.filter(authorization=authorization).order_by("line_number")
    ]


def authorization_version_write(
    *, authorization: Authorization, kind: str, actor, summary: str, decision=None, change_case=None, applied=None
) -> AuthorizationVersion:
    """Record what the authorization allows from now on (the caller holds its row lock)."""
    number = (
        AuthorizationVersion.objects.filter(authorization=authorization).order_by("-number")
        .values_list("number", flat=True).first() or 0
    ) + 1  # fmt: skip
    version = AuthorizationVersion.objects.create(
        authorization=authorization,
        number=number,
        kind=kind,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        decision=decision,
        change_case=change_case,
        summary=summary[:300],
        valid_from=authorization.valid_from,
        valid_to=authorization.valid_to,
        servicing_organization_id=authorization.servicing_organization_id
        or authorization.case.servicing_organization_id,
        lines=_snapshot(authorization),
        applied=applied or {},
    )
    if authorization.version != number:
        authorization.version = number
        authorization.save(update_fields=["version", "updated_at"])
    return version


def _span_refresh(authorization: Authorization) -> None:
    lines = [line for line in AuthorizationLine.objects.filter(authorization=authorization)
             if line.cancelled_at is None]  # fmt: skip
    if not lines:  # every line cancelled: the span stays as it was, for the record
        return
    span = (min(line.start_date for line in lines), max(line.end_date for line in lines))
    if span != (authorization.valid_from, authorization.valid_to):
        authorization.valid_from, authorization.valid_to = span
        authorization.save(update_fields=["valid_from", "valid_to", "updated_at"])


def _lines_cancel(*, authorization: Authorization, lines: list[AuthorizationLine], user, reason: str) -> None:
    now = timezone.now()
    locked = AuthorizationLine.objects.select_for_update().filter(pk__in=[line.pk for line in lines]).order_by("pk")
    for line in locked:
        line.cancelled_at = now
        line.save(update_fields=["cancelled_at"])
    _span_refresh(authorization)
    numbers = ", ".join(str(line.line_number) for line in lines)
    version = authorization_version_write(
        authorization=authorization,
        kind=AuthorizationVersion.Kind.CANCEL_LINES,
        actor=user,
        summary=f"Line{'s' if len(lines) != 1 else ''} {numbers} cancelled by the office: {reason}",
    )
    events.event_authorization_changed(case=authorization.case, actor=user, version=version)


def authorization_change_apply(*, change: AuthorizationRequest, decision) -> AuthorizationVersion | None:
    """Apply what the decision on change request `change` approved to the original
    authorization (called by `decision_record` in its transaction, for approvals and partial
    approvals). A revised decision applies only the difference to what was applied before."""
    # The lock order (module docstring): the original case, then its authorization, then
    # its lines; the change request's case is already held by the decision.
    original = case_lock(case_id=change.change_of_id)
    authorization = Authorization.objects.select_for_update().get(case_id=change.change_of_id)
    authorization.case = original
    targets = {
        line.line_number: line
        for line in AuthorizationLine.objects.select_for_update().filter(authorization=authorization).order_by("pk")
    }
    before = (
        AuthorizationVersion.objects.filter(authorization=authorization, change_case=change)
        .order_by("-number").values_list("applied", flat=True).first() or {}
    )  # fmt: skip
    by_change_line = {d["change_line"]: d["line"] for d in (change.change_details or {}).get("lines") or []}
    applied, words = dict(before), []
    for service_line in change.lines.filter(cancelled_at__isnull=True).order_by("line_number"):
        target = targets.get(by_change_line.get(service_line.line_number))
        approved = service_line.approved_units or 0
        if target is None or target.cancelled_at is not None:
            continue
        key = str(target.line_number)
        if change.change_kind == ChangeKind.ADD_UNITS:
            delta = approved - int(before.get(key, 0))
            if delta:
                target.approved_units += delta
                target.save(update_fields=["approved_units"])
                applied[key] = approved
                words.append(f"line {target.line_number} +{delta} units (now {target.approved_units})")
        elif change.change_kind == ChangeKind.EXTEND:
            if approved > 0 and service_line.end_date > target.end_date:
                target.end_date = service_line.end_date
                target.save(update_fields=["end_date"])
                applied[key] = service_line.end_date.isoformat()
                words.append(f"line {target.line_number} to {timefmt.day(target.end_date)}")
        elif change.change_kind == ChangeKind.CHANGE_SERVICING_PROVIDER and approved > 0 and not applied:
            # The authorization and the original request move to the new provider, which is
            # a party to it from now on (the one service, as for a redirection: issue 20).
            servicing_provider_change(
                case=original,
                organization=change.servicing_organization,
                practitioner=change.servicing_practitioner,
                authorization=authorization,
            )
            applied["servicing_organization"] = change.servicing_organization_id
            words.append(f"servicing provider now {change.servicing_organization.name}")
    if not words:
        return None
    _span_refresh(authorization)
    kind = AuthorizationVersion.Kind(change.change_kind)
    version = authorization_version_write(
        authorization=authorization,
        kind=kind,
        actor=decision.decided_by,
        decision=decision,
        change_case=change,
        applied=applied,
        summary=f"{kind.label} by the decision on {change.reference}: {'; '.join(words)}.",
    )
    events.event_authorization_changed(case=authorization.case, actor=decision.decided_by, version=version)
    return version
