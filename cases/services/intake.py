"""Creating a case. `case_create` is the low-level write every intake door ends in
(portal form, API, FHIR, staff entry, continuation of care, demo data); the provider
intake checks sit in front of it."""

import dataclasses
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from um_portal import prepared
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed
from um_portal.roles import Perm, user_can
from um_portal.validators import is_ascii_digits

from .. import events
from ..intake_hooks import intake_hooks_run
from ..models import (
    OPEN_STATUSES,
    AuthorizationRequest,
    CaseStatus,
    Channel,
    Coverage,
    Diagnosis,
    Member,
    Practitioner,
    ProviderOrganization,
    ReviewType,
    ServiceCategory,
    ServiceLine,
    Urgency,
)
from ..selectors import npi_resolve
from ..validators import normalize_icd10, npi_is_valid, validate_icd10_cm, validate_procedure_code
from .attachments import attachment_add
from .intake_reads import member_with_coverages, npis_resolve
from .receipt import receipt_write


def coverage_on(*, member: Member, day) -> Coverage | None:
    return (
        member.coverages.filter(effective_date__lte=day).exclude(end_date__lt=day).order_by("-effective_date").first()
    )


def _clean_codes(
    diagnosis_codes: list[str], lines: list[dict], *, diagnosis_required: bool = True
) -> tuple[list[str], list[dict]]:
    errors: dict[str, list[str]] = {}
    clean_dx = []
    for code in diagnosis_codes:
        normalized = normalize_icd10(code)
        try:
            validate_icd10_cm(normalized)
        except ValidationError as exc:
            errors.setdefault("diagnosis_codes", []).extend(exc.messages)
        clean_dx.append(normalized)
    if not clean_dx and diagnosis_required:
        errors.setdefault("diagnosis_codes", []).append("Give at least one diagnosis code.")
    clean_lines = []
    for index, line in enumerate(lines):
        system = (line.get("code_system") or "").upper()
        code = (line.get("code") or "").strip().upper()
        try:
            validate_procedure_code(system, code)
        except ValidationError as exc:
            errors.setdefault("lines", []).extend(f"Line {index + 1}: {m}" for m in exc.messages)
        if line["end_date"] < line["start_date"]:
            errors.setdefault("lines", []).append(f"Line {index + 1}: the end date is before the start date.")
        if int(line.get("units") or 0) < 1:
            errors.setdefault("lines", []).append(f"Line {index + 1}: units must be at least 1.")
        clean_lines.append({**line, "code_system": system, "code": code})
    if not clean_lines:
        errors.setdefault("lines", []).append("Give at least one service line.")
    if errors:
        raise ValidationFailed("The request has invalid codes or lines.", errors=errors)
    return clean_dx, clean_lines


def case_create(
    *,
    member: Member,
    requesting_organization: ProviderOrganization,
    servicing_organization: ProviderOrganization,
    service_category: str,
    diagnosis_codes: list[str],
    lines: list[dict],
    requesting_practitioner: Practitioner | None = None,
    servicing_practitioner: Practitioner | None = None,
    review_type: str = "prospective",
    urgency: str = "standard",
    expedited_reason: str = "",
    clinical_summary: str = "",
    place_of_service: str = "",
    channel: str = Channel.PORTAL,
    received_at: datetime | None = None,
    submitted_by=None,
    kind: str = AuthorizationRequest.Kind.PRIOR_AUTHORIZATION,
    coverage: Coverage | None = None,
    diagnosis_required: bool = True,
    change_of: AuthorizationRequest | None = None,
    change_kind: str = "",
    change_details: dict | None = None,
    likely_duplicate_of: AuthorizationRequest | None = None,
) -> AuthorizationRequest:
    """Create a case with its diagnoses and lines, give it a reference and its due time at
    once, grant the provider organizations access, and write the events (one statement on
    PostgreSQL: `cases.services.receipt`), flagged as a possible duplicate of
    `likely_duplicate_of` when given. `case.receipt_rows` keeps the diagnoses, lines
    and events just written, for the intake to answer from without reading them again."""
    from cases.deadlines.services import case_clock_fields_set

    clean_dx, clean_lines = _clean_codes(diagnosis_codes, lines, diagnosis_required=diagnosis_required)
    received_at = received_at or timezone.now()
    first_day = min(line["start_date"] for line in clean_lines)
    case = AuthorizationRequest(
        kind=kind,
        member=member,
        coverage=coverage or coverage_on(member=member, day=first_day),
        requesting_organization=requesting_organization,
        requesting_practitioner=requesting_practitioner,
        servicing_organization=servicing_organization,
        servicing_practitioner=servicing_practitioner,
        service_category=service_category,
        review_type=review_type,
        urgency=urgency,
        expedited_reason=expedited_reason,
        clinical_summary=clinical_summary,
        place_of_service=place_of_service,
        channel=channel,
        status=CaseStatus.RECEIVED,
        received_at=received_at,
        submitted_by=submitted_by,
        # A change request (reviews.services.authorization_changes): set before the clocks,
        # which read what is asked (Maryland's added-services period).
        change_of=change_of,
        change_kind=change_kind,
        change_details=change_details or {},
        likely_duplicate_of=likely_duplicate_of,
    )
    # The clock engine reads the diagnoses (Maryland's behavioral-health emergency rule)
    # before they are saved; it sets the due time, breakdown and next alert.
    case.diagnosis_codes = clean_dx
    case_clock_fields_set(case=case)
    diagnoses = [Diagnosis(case=case, sequence=i + 1, code=code) for i, code in enumerate(clean_dx)]
    service_lines = [
        ServiceLine(
            case=case,
            line_number=i + 1,
            code_system=line["code_system"],
            code=line["code"],
            description=line.get("description", ""),
            units=int(line["units"]),
            start_date=line["start_date"],
            end_date=line["end_date"],
        )
        for i, line in enumerate(clean_lines)
    ]
    receipt_events = events.receipt_rows(case=case, actor=submitted_by, channel=channel)
    # Checks and reads above, writes here: a refused request leaves the caller's transaction
    # usable, and the writes need no savepoint of their own (one statement on PostgreSQL).
    with transaction.atomic(savepoint=False):
        receipt_write(case=case, diagnoses=diagnoses, lines=service_lines, events_rows=receipt_events)
    case.receipt_rows = {"diagnoses": diagnoses, "lines": service_lines, "events": receipt_events}
    return case


# Dates of service further ahead than this are almost always typing mistakes, and a
# decision made so early would rest on stale clinical information (plan policy).
MAX_DAYS_AHEAD = 365
STAFF_CHANNELS = frozenset({Channel.FAX, Channel.PHONE, Channel.MAIL})


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self, summary: str) -> None:
        if self:
            first = next(iter(self.values()))[0]
            raise ValidationFailed(f"{summary} {first}", errors=dict(self))


def _check_choices(errors: _Errors, *, service_category, review_type, urgency, expedited_reason) -> None:
    for field, value, choices in (
        ("service_category", service_category, ServiceCategory),
        ("review_type", review_type, ReviewType),
        ("urgency", urgency, Urgency),
    ):
        if value not in choices.values:
            errors.add(field, f"'{value}' is not one of: {', '.join(choices.values)}.")
    if urgency == Urgency.EXPEDITED and not (expedited_reason or "").strip():
        errors.add(
            "expedited_reason",
            "Say why this request is expedited: waiting the standard time could seriously jeopardize the "
            "member's life, health or ability to regain maximum function.",
        )


def _check_dates(errors: _Errors, *, lines: list[dict], today: date) -> None:
    limit = today + timedelta(days=MAX_DAYS_AHEAD)
    for index, line in enumerate(lines):
        start, end = line.get("start_date"), line.get("end_date")
        if not isinstance(start, date) or not isinstance(end, date):
            errors.add("lines", f"Line {index + 1}: give a start and an end date (YYYY-MM-DD).")
            continue
        if end < start:
            errors.add("lines", f"Line {index + 1}: the end date {end} is before the start date {start}.")
        if max(start, end) > limit:
            errors.add(
                "lines",
                f"Line {index + 1}: dates of service more than {MAX_DAYS_AHEAD} days ahead (after {limit}) "
                "cannot be requested yet.",
            )


def _check_channel(errors: _Errors, *, user, channel, received_at, door: str, now: datetime):
    """Staff entering a fax, phone or mail request say how and when it arrived; providers
    cannot: their requests arrive through the door they use, now."""
    if not user_can(user, Perm.CASE_ENTER_FOR_OTHERS):
        if channel not in (None, "", door):
            errors.add("channel", "Only UM staff entering a fax, phone or mail request may set the channel.")
        if received_at is not None:
            errors.add("received_at", "Only UM staff entering a fax, phone or mail request may set received_at.")
        return door, now
    if channel in (None, ""):
        channel = door
    elif channel not in STAFF_CHANNELS | {door}:
        errors.add("channel", f"Channel must be one of: fax, phone, mail (or {door}).")
    if received_at is not None:
        if timezone.is_naive(received_at):
            errors.add("received_at", "Give received_at with its time zone offset.")
            return channel, now
        if received_at > now:
            errors.add("received_at", "received_at cannot be in the future: it is when the request arrived.")
        return channel, received_at
    return channel, now


def _resolve_provider(errors: _Errors, field: str, npi: str, first_day, last_day, *, directory=None):
    npi = (npi or "").strip()
    if not npi_is_valid(npi):
        errors.add(field, f"'{npi}' is not a valid NPI: 10 digits with a correct check digit.")
        return None, None
    # `directory`: the NPIs of the request read together (intake_reads.npis_resolve).
    organization, practitioner = directory.get(npi, (None, None)) if directory is not None else npi_resolve(npi)
    if organization is None:
        errors.add(field, f"NPI {npi} is not in the plan's provider directory.")
        return None, None
    if first_day is not None:
        agreements = list(organization.agreements.all())
        if not agreements:
            errors.add(field, f"{organization.name} (NPI {npi}) is not contracted with the plan.")
        elif not any(a.is_active_on(first_day) and a.is_active_on(last_day) for a in agreements):
            ended = max((a.end_date for a in agreements if a.end_date), default=None)
            when = f" (agreement ended {ended})" if ended else ""
            errors.add(
                field,
                f"{organization.name} (NPI {npi}) has no provider agreement in force for the dates of service "
                f"{first_day} to {last_day}{when}.",
            )
    return organization, practitioner


def _check_eligibility(errors: _Errors, *, member, first_day, last_day) -> Coverage | None:
    # From the coverages read with the member (intake_reads.member_with_coverages).
    coverages = sorted(member.coverages.all(), key=lambda c: (c.effective_date, c.pk), reverse=True)
    coverage = next((c for c in coverages if c.is_active_on(first_day)), None)
    if coverage is None or not coverage.is_active_on(last_day):
        latest = coverages[0] if coverages else None
        hint = ""
        if latest is not None and latest.end_date is not None:
            hint = f" Coverage ended {latest.end_date}."
        elif latest is not None and latest.effective_date > first_day:
            hint = f" Coverage starts {latest.effective_date}."
        errors.add(
            "member_number",
            f"Member {member.member_number} is not eligible for the whole period of service "
            f"{first_day} to {last_day}.{hint}",
        )
        return None
    return coverage


# Namespace of the duplicate-check advisory locks (first key of pg_advisory_xact_lock(int, int)),
# so they never collide with another lock of the portal (the deadline sweep uses one bigint).
DUPLICATE_LOCK_NAMESPACE = 120_007


def _duplicate_check_lock(*, member, requesting_organization, lines: list[dict]) -> None:
    """Serialize the duplicate check with every other submit that could match it: one
    transaction-scoped advisory lock per (member, requesting organization, service code),
    taken in sorted order so two submits never wait on each other crosswise. The lock is
    per code rather than per code and dates because the check matches *overlapping*
    dates: two submits of the same code with different but overlapping dates must wait on
    one lock too. It is held until the submit's transaction ends, so the next submit's
    check sees the committed case (issue 12, item 7). On SQLite (one process on a
    laptop) there is nothing to serialize with."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({f"{member.pk}:{requesting_organization.pk}:{line['code']}" for line in lines})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [DUPLICATE_LOCK_NAMESPACE, key])


def likely_duplicate_find(*, member, requesting_organization, lines: list[dict]) -> AuthorizationRequest | None:
    """An open request for the same member, from the same requesting organization, with a
    line for the same service code whose dates overlap one of these lines (the first line
    that has a match decides). One read whatever the number of lines, giving the match's id
    and reference only (all the intake needs of it: the flag, its event and the 409's
    message); SQL rather than the ORM because a submit runs it every time (issue #13)."""
    if not lines:
        return None
    # `l.code || ''`: the same comparison, but not one the (code, start_date) index can
    # serve, so the lines are read by case (below).
    overlap = "(l.code || '' = %s AND l.start_date <= %s AND l.end_date >= %s)"
    per_line = [value for line in lines for value in (line["code"], line["end_date"], line["start_date"])]
    statuses = sorted(OPEN_STATUSES)
    # Placeholders only are put in the text; every value is a parameter.
    # From the member's open requests of that organization (a handful), then their lines by
    # case: the planner must not start at the service code, whose lines grow with every
    # request for it (a common code on a common start date: 820 lines read per submit after
    # a few minutes of the bench, 10 ms, when the statistics did not know them yet; issue #13).
    sql = (
        "WITH c AS MATERIALIZED (SELECT id, reference FROM cases_authorizationrequest "  # noqa: S608
        "WHERE member_id = %s AND requesting_organization_id = %s "
        f"AND status IN ({', '.join(['%s'] * len(statuses))})) "
        "SELECT c.id, c.reference FROM c JOIN cases_serviceline l ON l.case_id = c.id "
        f"WHERE ({' OR '.join([overlap] * len(lines))}) "
        f"ORDER BY CASE {' '.join(f'WHEN {overlap} THEN {i}' for i in range(len(lines)))} END, l.line_number, l.id "
        "LIMIT 1"
    )
    params = [member.pk, requesting_organization.pk, *statuses, *per_line, *per_line]
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)  # the same text for the same number of lines
        row = cursor.fetchone()
    if row is None:
        return None
    return AuthorizationRequest.from_db(connection.alias, ["id", "reference"], row)


@dataclasses.dataclass
class _Checked:
    errors: _Errors
    incomplete: bool = False
    member: Member | None = None
    coverage: Coverage | None = None
    requesting: tuple = (None, None)
    servicing: tuple = (None, None)
    channel: str | None = None
    received_at: datetime | None = None
    clean_dx: list = dataclasses.field(default_factory=list)
    clean_lines: list = dataclasses.field(default_factory=list)


def _request_check(
    *,
    user,
    member_number,
    member_date_of_birth,
    requesting_provider_npi,
    servicing_provider_npi,
    service_category,
    diagnosis_codes,
    lines,
    review_type,
    urgency,
    expedited_reason,
    place_of_service,
    channel,
    received_at,
    door,
    now,
    diagnosis_required,
) -> _Checked:
    """Every check of a request in one pass (issue 22, item 3): the member and the NPIs
    are looked up even when a field or a line is wrong, so a person sees every problem at
    once rather than in rounds. Checks that need the dates of service (eligibility,
    agreements) wait for valid lines."""
    errors = _Errors()
    checked = _Checked(errors=errors)
    _check_choices(
        errors,
        service_category=service_category,
        review_type=review_type,
        urgency=urgency,
        expedited_reason=expedited_reason,
    )
    checked.channel, checked.received_at = _check_channel(
        errors, user=user, channel=channel, received_at=received_at, door=door, now=now
    )
    _check_dates(errors, lines=lines, today=timezone.localdate(now))
    if place_of_service and not is_ascii_digits(place_of_service, length=2):
        errors.add("place_of_service", "Place of service is a two-digit CMS code, e.g. 11 (office) or 22.")
    first_day = last_day = None
    if "lines" not in errors:
        # Codes and units: the same checks case_create makes, reported with the others.
        try:
            checked.clean_dx, checked.clean_lines = _clean_codes(
                diagnosis_codes, lines, diagnosis_required=diagnosis_required
            )
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    errors.add(name, message)
        else:
            first_day = min(line["start_date"] for line in checked.clean_lines)
            last_day = max(line["end_date"] for line in checked.clean_lines)
    checked.incomplete = bool(errors)

    if not member_number or member_date_of_birth is None:
        field_name = "member_number" if not member_number else "member_date_of_birth"
        errors.add(field_name, "Give the member number and date of birth from the member's ID card.")
    else:
        checked.member = member_with_coverages(member_number=member_number, date_of_birth=member_date_of_birth)
        if checked.member is None:
            errors.add(
                "member_number",
                "No member matches this member number and date of birth. Check both against the member's ID card.",
            )
        elif first_day is not None:
            checked.coverage = _check_eligibility(errors, member=checked.member, first_day=first_day, last_day=last_day)
    directory = npis_resolve([requesting_provider_npi, servicing_provider_npi])
    checked.requesting = _resolve_provider(
        errors, "requesting_provider_npi", requesting_provider_npi, first_day, last_day, directory=directory
    )
    checked.servicing = _resolve_provider(
        errors, "servicing_provider_npi", servicing_provider_npi, first_day, last_day, directory=directory
    )
    return checked


def authorization_submit_check(
    *,
    user,
    member_number: str = "",
    member_date_of_birth: date | None = None,
    requesting_provider_npi: str = "",
    servicing_provider_npi: str = "",
    service_category: str = "",
    diagnosis_codes: list[str] = (),
    lines: list[dict] = (),
    review_type: str = ReviewType.PROSPECTIVE,
    urgency: str = Urgency.STANDARD,
    expedited_reason: str = "",
    place_of_service: str = "",
    channel: str | None = None,
    received_at: datetime | None = None,
    door: str = Channel.PORTAL,
) -> dict[str, list[str]]:
    """Every problem `authorization_submit` would report for this input, writing nothing:
    the request form asks it for the fields its own checks let through, so one submit
    lists every problem (issue 22, item 3)."""
    checked = _request_check(
        user=user,
        member_number=member_number,
        member_date_of_birth=member_date_of_birth,
        requesting_provider_npi=requesting_provider_npi,
        servicing_provider_npi=servicing_provider_npi,
        service_category=service_category,
        diagnosis_codes=list(diagnosis_codes),
        lines=list(lines),
        review_type=review_type,
        urgency=urgency,
        expedited_reason=expedited_reason,
        place_of_service=place_of_service,
        channel=channel,
        received_at=received_at,
        door=door,
        now=timezone.now(),
        diagnosis_required=True,
    )
    return dict(checked.errors)


def authorization_submit(
    *,
    user,
    member_number: str,
    member_date_of_birth: date | None,
    requesting_provider_npi: str,
    servicing_provider_npi: str,
    service_category: str,
    diagnosis_codes: list[str],
    lines: list[dict],
    review_type: str = ReviewType.PROSPECTIVE,
    urgency: str = Urgency.STANDARD,
    expedited_reason: str = "",
    clinical_summary: str = "",
    place_of_service: str = "",
    channel: str | None = None,
    received_at: datetime | None = None,
    confirm_duplicate: bool = False,
    door: str = Channel.PORTAL,
    documents=(),
    checklist: dict | None = None,
    diagnosis_required: bool = True,
) -> AuthorizationRequest:
    """The intake every provider door calls (portal form, API): check the request the way
    an intake coordinator would, each problem with a message a person can act on, then
    create the case through `case_create`.

    `door` is how it reached us (portal or api). Raises ValidationFailed (400) listing
    every problem found, NotAllowed (403) when the caller may not submit for these
    providers, and Conflict `likely_duplicate` (409) unless `confirm_duplicate`.

    `documents` (uploaded files) are attached in the same transaction; `checklist` holds
    the provider's answers to criteria checklist items ({"<criteria set>": ["item", ...]}).
    `diagnosis_required` is off only for Da Vinci PAS, whose Claim profile makes the
    diagnosis optional. Last, still in the transaction, the registered intake hooks run (the auto-approval
    rules: a matching request is approved before this returns).
    """
    if not (user_can(user, Perm.CASE_SUBMIT) or user_can(user, Perm.CASE_ENTER_FOR_OTHERS)):
        raise NotAllowed("Your role does not allow submitting requests.")
    now = timezone.now()
    checked = _request_check(
        user=user,
        member_number=member_number,
        member_date_of_birth=member_date_of_birth,
        requesting_provider_npi=requesting_provider_npi,
        servicing_provider_npi=servicing_provider_npi,
        service_category=service_category,
        diagnosis_codes=diagnosis_codes,
        lines=lines,
        review_type=review_type,
        urgency=urgency,
        expedited_reason=expedited_reason,
        place_of_service=place_of_service,
        channel=channel,
        received_at=received_at,
        door=door,
        now=now,
        diagnosis_required=diagnosis_required,
    )
    checked.errors.raise_if_any(
        "The request is incomplete or invalid." if checked.incomplete else "The request cannot be accepted."
    )
    member, coverage = checked.member, checked.coverage
    requesting_org, requesting_practitioner = checked.requesting
    servicing_org, servicing_practitioner = checked.servicing
    channel, received_at = checked.channel, checked.received_at
    clean_dx, clean_lines = checked.clean_dx, checked.clean_lines

    own = getattr(user, "organization_id", None)
    if not user_can(user, Perm.CASE_ENTER_FOR_OTHERS) and own not in (requesting_org.pk, servicing_org.pk):
        raise NotAllowed(
            "Your organization must be the requesting or the servicing provider of a request you submit.",
            code="organization_not_on_request",
        )

    with transaction.atomic():
        _duplicate_check_lock(member=member, requesting_organization=requesting_org, lines=clean_lines)
        duplicate_of = likely_duplicate_find(member=member, requesting_organization=requesting_org, lines=clean_lines)
        if duplicate_of is not None and not confirm_duplicate:
            raise Conflict(
                f"This looks like a duplicate of {duplicate_of.reference}, an open request for the same member, "
                "service code and dates from your organization. Submit again with confirm_duplicate if it is a "
                "separate request.",
                code="likely_duplicate",
                errors={"confirm_duplicate": [f"Possible duplicate of {duplicate_of.reference}."]},
            )
        case = case_create(
            member=member,
            coverage=coverage,
            requesting_organization=requesting_org,
            requesting_practitioner=requesting_practitioner,
            servicing_organization=servicing_org,
            servicing_practitioner=servicing_practitioner,
            service_category=service_category,
            review_type=review_type,
            urgency=urgency,
            expedited_reason=expedited_reason.strip() if urgency == Urgency.EXPEDITED else "",
            diagnosis_codes=clean_dx,
            lines=clean_lines,
            clinical_summary=clinical_summary,
            place_of_service=place_of_service,
            channel=channel,
            received_at=received_at,
            submitted_by=user,
            diagnosis_required=diagnosis_required,
            likely_duplicate_of=duplicate_of,
        )
        # Events written from here on are kept on the case too (cases.events.events_written).
        case.new_events = list(case.receipt_rows["events"])
        attachments = [attachment_add(case=case, user=user, upload=document) for document in documents]
        # The hooks (and the API's answer) read the rows just written from memory.
        case._prefetched_objects_cache = {
            "diagnoses": case.receipt_rows["diagnoses"],
            "lines": case.receipt_rows["lines"],
            "attachments": attachments,
        }
        # A hook that changes the case (a rule approving it) reads it again itself and
        # refreshes this object (automation.services.evaluate).
        intake_hooks_run(case=case, context={"checklist": _checklist_clean(checklist)})
    return case


def _checklist_clean(checklist) -> dict:
    """{"<criteria set>": ["item", ...]}: anything else is dropped, never an error (answers
    only ever help a request)."""
    if not isinstance(checklist, dict):
        return {}
    return {
        str(name)[:160]: [str(item)[:300] for item in items if isinstance(item, str)][:50]
        for name, items in list(checklist.items())[:20]
        if isinstance(items, list)
    }
