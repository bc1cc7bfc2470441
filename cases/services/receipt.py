"""Writing a new case and what comes with it (reference, diagnoses, lines, the provider
organizations' object permissions, the receipt events) in one statement on PostgreSQL.

A submit used to send one statement per row and three per permission (guardian's
`assign_perm` reads the group, the permission and the content type first), and held the
yearly reference counter's row lock until commit (issue #13). Here each row is built in
memory and the inserts are data-modifying CTEs of one statement; the reference comes from
the year's PostgreSQL sequence (`cases_reference_next`, migration 0011) in the same
statement. On SQLite (`make run`) the same rows are written one table at a time and the
reference from the counter row."""

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery
from django.utils import timezone

from um_portal import prepared

from .. import events
from ..access import ACT_CODENAME, VIEW_CODENAME, case_permission_id
from ..models import (
    AuthorizationRequest,
    AuthorizationRequestGroupObjectPermission,
    CaseEvent,
    Diagnosis,
    ReferenceSequence,
    ServiceLine,
)


def reference_next(*, year: int) -> str:
    """The next human reference for `year`, e.g. UM-2026-000123 (inside a transaction), from
    the counter row: SQLite only. PostgreSQL takes it from the year's sequence in the
    insert itself (`cases.services.receipt`)."""
    for _attempt in range(2):
        touched = ReferenceSequence.objects.filter(year=year).update(last_number=F("last_number") + 1)
        if touched:
            break
        try:
            with transaction.atomic():
                ReferenceSequence.objects.create(year=year, last_number=1)
            break
        except IntegrityError:
            continue  # Someone created the year's row first: increment it.
    number = ReferenceSequence.objects.get(year=year).last_number
    return f"UM-{year}-{number:06d}"


def grant_rows(*, case: AuthorizationRequest) -> list[AuthorizationRequestGroupObjectPermission]:
    """View and act permissions on `case` for the requesting and servicing organizations'
    access groups (what guardian's assign_perm wrote, four reads and writes per row)."""
    from .providers import organization_access_group

    groups = {
        organization.access_group_id or organization_access_group(organization=organization).pk
        for organization in (case.requesting_organization, case.servicing_organization)
    }
    return [
        AuthorizationRequestGroupObjectPermission(
            content_object=case, group_id=group_id, permission_id=case_permission_id(codename)
        )
        for group_id in sorted(groups)
        for codename in (VIEW_CODENAME, ACT_CODENAME)
    ]


def _insert_sql(objs: list, returning=None) -> tuple[str, list]:
    """Django's own INSERT for `objs` (defaults, auto_now, JSON and UUID handling), with
    serial primary keys left to the database."""
    model = type(objs[0])
    opts = model._meta
    fields = [f for f in opts.concrete_fields if f is not opts.auto_field]
    query = InsertQuery(model)
    query.insert_values(fields, objs, raw=False)
    compiler = query.get_compiler(using=connection.alias)  # the connection itself, not its proxy
    compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def _mark_saved(objs) -> None:
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def receipt_write(
    *, case: AuthorizationRequest, diagnoses: list[Diagnosis], lines: list[ServiceLine], events_rows: list[CaseEvent]
) -> None:
    """Insert the new `case` with its rows and permissions, set its reference, and hand the
    events on (`cases.events.events_written`). Call inside the intake's transaction."""
    grants = grant_rows(case=case)
    year = timezone.localtime(case.received_at).year
    if connection.vendor == "postgresql":
        case.reference = RawSQL("cases_reference_next(%s)", (year,))
        parts, params = [], []
        for name, objs, returning in (
            ("c", [case], [AuthorizationRequest._meta.get_field("reference")]),
            ("d", diagnoses, None),
            ("l", lines, None),
            ("g", grants, None),
            ("e", events_rows, [CaseEvent._meta.pk]),
        ):
            if not objs:  # no diagnoses (a PAS request may carry none)
                continue
            sql, more = _insert_sql(objs, returning)
            parts.append(f"{name} AS ({sql})")
            params += more
        with connection.cursor() as cursor:
            # Prepared (the same text for the same numbers of lines, diagnoses and events).
            prepared.execute(
                cursor,
                # Only Django-compiled INSERTs with their parameters: nothing from a user in the text.
                f"WITH {', '.join(parts)} SELECT (SELECT reference FROM c), ARRAY(SELECT id FROM e ORDER BY id)",  # noqa: S608
                params,
            )
            case.reference, event_ids = cursor.fetchone()
        for event, pk in zip(events_rows, event_ids, strict=True):
            event.pk = pk
        _mark_saved([case, *diagnoses, *lines, *grants, *events_rows])
    else:
        case.reference = reference_next(year=year)
        case.save(force_insert=True)
        Diagnosis.objects.bulk_create(diagnoses)  # an empty list writes nothing
        ServiceLine.objects.bulk_create(lines)
        AuthorizationRequestGroupObjectPermission.objects.bulk_create(grants)
        for event in events_rows:
            event.save()
    events.events_written(case=case, rows=events_rows)
