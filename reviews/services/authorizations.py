"""Authorizations (issue 19, item 1): issued from the decision service path, units used
from claims lines entered or imported by staff. Rules here, so every door obeys them."""

import csv
import io
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.models import AuthorizationRequest, CaseEvent, ServiceLine
from um_portal.exceptions import ValidationFailed

from ..models import Authorization, AuthorizationLine, AuthorizationUse, AuthorizationVersion
from .authorization_changes import authorization_version_write

NUMBER_PREFIX = "A-"


def authorization_issue(*, case: AuthorizationRequest, decision=None) -> Authorization | None:
    """Create or bring up to date the case's authorization from its decided lines (called by
    `decision_record` inside its transaction, for approvals and partial approvals only).
    Lines with no units approved are not on it; units used already recorded are kept. Each
    issue or revision is a version of the authorization (its history), with the decision."""

    lines = [
        line
        for line in ServiceLine.objects.filter(case=case, cancelled_at__isnull=True).order_by("line_number")
        if (line.approved_units or 0) > 0
    ]
    if not lines:
        return None
    valid_from = min(line.start_date for line in lines)
    valid_to = max(line.end_date for line in lines)
    authorization, created = Authorization.objects.select_for_update().get_or_create(
        case=case,
        defaults={
            "number": f"{NUMBER_PREFIX}{case.reference}",
            "valid_from": valid_from,
            "valid_to": valid_to,
            "servicing_organization": case.servicing_organization,
        },
    )
    # A revised decision keeps what approved changes added since (issue 19, item 3): their
    # units on top of the revised ones, and the later of the two end dates.
    added, existing = ({}, {}) if created else _changes_applied(authorization)
    for line in lines:
        current = existing.get(line.line_number)
        AuthorizationLine.objects.update_or_create(
            service_line=line,
            defaults={
                "authorization": authorization,
                "line_number": line.line_number,
                "code": line.code,
                "approved_units": line.approved_units + added.get(line.line_number, 0),
                "start_date": line.start_date,
                "end_date": max(line.end_date, current.end_date) if current else line.end_date,
            },
        )
    if not created:
        open_lines = list(AuthorizationLine.objects.filter(authorization=authorization, cancelled_at__isnull=True))
        span = (
            (min(x.start_date for x in open_lines), max(x.end_date for x in open_lines))
            if open_lines
            else (valid_from, valid_to)
        )
        if (authorization.valid_from, authorization.valid_to) != span:
            authorization.valid_from, authorization.valid_to = span
            authorization.save(update_fields=["valid_from", "valid_to", "updated_at"])
    kind = AuthorizationVersion.Kind.ISSUED if created else AuthorizationVersion.Kind.REVISED
    authorization_version_write(
        authorization=authorization,
        kind=kind,
        actor=getattr(decision, "decided_by", None),
        decision=decision,
        summary=f"{kind.label}: {decision.get_outcome_display().lower()}." if decision else f"{kind.label}.",
    )
    return authorization


def _changes_applied(authorization: Authorization) -> tuple[dict[int, int], dict[int, AuthorizationLine]]:
    """Units added per line by approved change requests (each change's latest version says
    what it applied), and the authorization's lines as they are."""
    latest: dict = {}
    for version in AuthorizationVersion.objects.filter(
        authorization=authorization, kind=AuthorizationVersion.Kind.ADD_UNITS
    ).order_by("number"):
        latest[version.change_case_id] = version.applied
    added: dict[int, int] = defaultdict(int)
    for applied in latest.values():
        for line_number, units in applied.items():
            added[int(line_number)] += int(units)
    lines = {line.line_number: line for line in AuthorizationLine.objects.filter(authorization=authorization)}
    return added, lines


CSV_COLUMNS = ("authorization_number", "line", "units", "date")


def _rows_parse(text: str) -> tuple[list[tuple[int, str, int, int, date]], list[str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"The file needs the columns {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})."]
    rows, errors = [], []
    for n, raw in enumerate(reader, start=2):
        number = (raw.get("authorization_number") or "").strip()
        try:
            line_number = int((raw.get("line") or "").strip())
            units = int((raw.get("units") or "").strip())
            day = date.fromisoformat((raw.get("date") or "").strip())
        except ValueError:
            errors.append(f"Row {n}: line and units must be whole numbers and date YYYY-MM-DD.")
            continue
        if units < 1:
            errors.append(f"Row {n}: units must be at least 1.")
            continue
        rows.append((n, number, line_number, units, day))
    if not rows and not errors:
        errors.append("The file has no claims lines.")
    return rows, errors


@transaction.atomic
def authorization_units_import(*, text: str, actor) -> int:
    """Record units used from claims lines (CSV: authorization_number, line, units, date).
    All or nothing: any unknown line, date outside the line's approved span, or use beyond
    the approved units refuses the whole file with every problem listed. Returns rows written."""
    rows, errors = _rows_parse(text)
    numbers = {number for _, number, _, _, _ in rows}
    # The lock order of authorization_changes: the cases (by pk) before the lines. The use
    # events are written on the cases, and those inserts wait for a case that a change being
    # asked for or applied holds while it waits for these lines: a deadlock, had the lines
    # been locked first.
    list(
        AuthorizationRequest.objects.select_for_update(of=("self",))
        .filter(authorization__number__in=numbers)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    lines = {
        (line.authorization.number, line.line_number): line
        for line in AuthorizationLine.objects.select_for_update(of=("self",))
        .select_related("authorization")
        .filter(authorization__number__in=numbers)
        .order_by("pk")
    }
    adding: dict[int, int] = defaultdict(int)
    for n, number, line_number, units, day in rows:
        line = lines.get((number, line_number))
        if line is None:
            errors.append(f"Row {n}: authorization {number} has no approved line {line_number}.")
            continue
        if line.cancelled_at is not None and day >= timezone.localdate(line.cancelled_at):
            errors.append(
                f"Row {n}: line {line_number} of {number} was cancelled on "
                f"{timezone.localdate(line.cancelled_at).isoformat()}: no use from that day on."
            )
        if not line.start_date <= day <= line.end_date:
            errors.append(
                f"Row {n}: {day.isoformat()} is outside line {line_number}'s approved dates "
                f"({line.start_date.isoformat()} to {line.end_date.isoformat()})."
            )
        adding[line.pk] += units
    for line in lines.values():
        total = line.units_used + adding.get(line.pk, 0)
        if total > line.approved_units:
            errors.append(
                f"Authorization {line.authorization.number} line {line.line_number}: {total} units would be used, "
                f"only {line.approved_units} are approved ({line.units_used} used already). "
                "More units need a new request: the office asks to add units to the authorization."
            )
    if errors:
        raise ValidationFailed("Nothing was imported: " + " ".join(errors), errors={"file": errors})
    by_key = {(number, ln): lines[(number, ln)] for _, number, ln, _, _ in rows}
    uses = AuthorizationUse.objects.bulk_create(
        [
            AuthorizationUse(line=by_key[(number, ln)], units=units, service_date=day, entered_by=actor)
            for _, number, ln, units, day in rows
        ]
    )
    for line in lines.values():
        if adding.get(line.pk):
            line.units_used += adding[line.pk]
            line.save(update_fields=["units_used"])
    _use_events_write(uses=uses, actor=actor)
    return len(rows)


def _use_events_write(*, uses: list[AuthorizationUse], actor) -> None:
    """An event per recorded use on the authorization's case (its timeline and the audit)."""
    by_case: dict = defaultdict(list)
    for use in uses:
        authorization = use.line.authorization
        by_case[authorization.case_id].append(
            {
                "use_id": use.pk,
                "authorization": authorization.number,
                "line": use.line.line_number,
                "units": use.units,
                "service_date": use.service_date.isoformat(),
            }
        )
    cases = AuthorizationRequest.objects.in_bulk(list(by_case))
    for case_id, rows in by_case.items():
        case = cases[case_id]
        written = CaseEvent.objects.bulk_create(events.units_used_rows(case=case, actor=actor, uses=rows))
        events.events_written(case=case, rows=written)
