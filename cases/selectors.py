"""Case reads used in more than one place, with their joins built in.
Scope them with `cases.access.cases_visible_to(user, queryset)`, or read a list page
through `case_list_page`, which scopes it and keeps every page on an index."""

import base64
import decimal
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from um_portal import prepared
from um_portal.compiled import values_once
from um_portal.exceptions import ValidationFailed
from um_portal.roles import Perm, Role, user_can, user_role

from .access import case_granted, cases_visible_to
from .models import AuthorizationRequest

# The related rows a list row shows, fetched by primary key after the page (see
# `case_related_attach`): the page query joins only what it filters or sorts on, so the
# planner has one table to plan, not eight (issue #13: 25-37 ms of planning per query).
LIST_RELATED = ("member", "requesting_organization", "requesting_practitioner", "servicing_organization",
                "servicing_practitioner", "assigned_to")  # fmt: skip
# The same for a case page (provider and reviewer) and the API detail, the coverage too.
DETAIL_RELATED = (*LIST_RELATED, "coverage")
# The case's own columns a list row of the API shows (CaseListSerializer) and its access-log
# row needs: not its summary, clocks or change details, which only the detail shows.
LIST_COLUMNS = (
    "id", "reference", "kind", "status", "channel", "urgency", "review_type", "service_category", "received_at",
    "decision_due_at", "member_id", "requesting_organization_id", "requesting_practitioner_id",
    "servicing_organization_id", "servicing_practitioner_id", "assigned_to_id", "change_of_id", "change_kind",
)  # fmt: skip


# The columns of each related row the API shows of a case (CaseListSerializer: the member
# brief, the provider labels, the assignee's username): `case_related_attach(columns=...)`.
API_RELATED_COLUMNS = {
    "member": ("member_number", "first_name", "last_name", "date_of_birth"),
    "requesting_organization": ("npi", "name"),
    "servicing_organization": ("npi", "name"),
    "requesting_practitioner": ("npi", "first_name", "last_name", "credentials"),
    "servicing_practitioner": ("npi", "first_name", "last_name", "credentials"),
    "assigned_to": ("username",),
}


def case_related_attach(cases, fields=LIST_RELATED, *, columns: dict | None = None) -> list:
    """Fill the foreign keys `fields` of `cases` from their rows read by id (the two
    organizations share a read, the two practitioners one): one statement for every table
    on PostgreSQL (`_related_values_read`), one query per table elsewhere. With `columns`
    ({field name: column names}, e.g. API_RELATED_COLUMNS), each related row reads only
    those (and its id), the others deferred: for readers that show nothing else. Returns
    `cases`."""
    cases = list(cases)
    by_model: dict = {}
    for name in fields:
        model = AuthorizationRequest._meta.get_field(name).related_model
        by_model.setdefault(model, []).append(name)
    reads = []  # (model, field names of the case, columns, ids)
    for model, names in by_model.items():
        ids = {getattr(case, f"{name}_id") for case in cases for name in names} - {None}
        if not ids:
            continue
        if columns is None:
            wanted = tuple(f.attname for f in model._meta.concrete_fields if not f.primary_key)
        else:
            wanted = tuple(sorted({column for name in names for column in columns[name]}))
        reads.append((model, names, wanted, ids))
    for (model, names, _, _), found in zip(reads, _related_rows_read(reads), strict=True):
        instances = {pk: _instance(model, row) for pk, row in found.items()}
        for case in cases:
            for name in names:
                related_id = getattr(case, f"{name}_id")
                if related_id is not None:
                    setattr(case, name, instances[related_id])
    return cases


def _instance(model, row: dict):
    """A `model` instance of `row` ({attname: value}, "id" for the primary key), as the ORM
    builds one it read (from_db takes the values in the model's field order; fields not in
    `row` are deferred)."""
    by_attname = {(model._meta.pk.attname if name == "id" else name): value for name, value in row.items()}
    names = [f.attname for f in model._meta.concrete_fields if f.attname in by_attname]
    return model.from_db(connection.alias, names, [by_attname[name] for name in names])


def related_values_attach(rows: list[dict], related: dict) -> None:
    """For each foreign key `related` names ({field name: column names}), add to each case
    row (a dict of values with the `<name>_id` columns) a dict of those columns of the
    related row, or None where the case names none. On PostgreSQL one statement reads every
    related table by id (`_related_values_read`); elsewhere one query per table (tables
    named twice share one; none without ids)."""
    wanted: list = []  # (model, field names of the case, columns, ids)
    by_model: dict = {}
    for name, fields in related.items():
        model = AuthorizationRequest._meta.get_field(name).related_model
        names, columns = by_model.setdefault(model, ([], set()))
        names.append(name)
        columns.update(fields)
    for model, (names, columns) in by_model.items():
        ids = {row[f"{name}_id"] for row in rows for name in names} - {None}
        if ids:
            wanted.append((model, names, tuple(sorted(columns)), ids))
    found_by_name = {
        name: found
        for (_, names, _, _), found in zip(wanted, _related_rows_read(wanted), strict=True)
        for name in names
    }
    for row in rows:
        for name in related:
            row[name] = found_by_name.get(name, {}).get(row[f"{name}_id"])


def _related_rows_read(reads: list[tuple]) -> list[dict]:
    """For each (model, _, columns, ids) of `reads`, `values_by_id(model, ids, *columns)`:
    in one statement on PostgreSQL where every column is of a type JSON carries back
    exactly (`_related_values_read`), else one query per table."""
    if connection.vendor == "postgresql" and all(
        model._meta.get_field(column).get_internal_type() in JSON_EXACT
        for model, _, columns, _ in reads
        for column in columns
    ):
        return _related_values_read([(model, columns, ids) for model, _, columns, ids in reads])
    return [values_by_id(model, ids, *columns) for model, _, columns, ids in reads]


# Field types whose JSON value the field's to_python (a JSON field's: its from_db_value, of
# its text) turns back into what the ORM reads (json_rows_read).
JSON_EXACT = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField", "DateTimeField",
    "DecimalField", "ForeignKey", "IntegerField", "JSONField", "OneToOneField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "TextField", "UUIDField",
})  # fmt: skip


def _related_values_read(reads: list[tuple]) -> list[dict]:
    """For each (model, columns, ids) of `reads`, the dicts of those columns (and id) of its
    rows by id, as `values_by_id` gives them, all in one statement on PostgreSQL: each
    table's rows come back as one JSON array (issue #13: a list page read the member,
    organization and practitioner tables in a round trip each, each compiled by the ORM;
    this statement is written from the models' metadata, no ORM compiling). Values are
    turned back into Python by their model fields (a date of birth is a date again)."""
    if not reads:
        return []
    quote = connection.ops.quote_name
    parts, fields_each = [], []
    for model, columns, _ids in reads:
        fields = {"id": model._meta.pk, **{column: model._meta.get_field(column) for column in columns}}
        fields_each.append(fields)
        # The ids are parameters.
        parts.append(json_rows_sql(model, list(fields.values()), f"r.{quote(model._meta.pk.column)} = ANY(%s)"))
    with connection.cursor() as cursor:
        prepared.execute(cursor, f"SELECT {', '.join(parts)}", [sorted(ids) for _, _, ids in reads])
        arrays = cursor.fetchone()
    found_each = []
    for fields, text in zip(fields_each, arrays, strict=True):
        names = list(fields)
        found = {}
        for values in json_rows_read(list(fields.values()), text):
            row = dict(zip(names, values, strict=True))
            found[row["id"]] = row
        found_each.append(found)
    return found_each


def json_rows_sql(model, fields: list, where: str, order_by: tuple = (), joined: tuple = ()) -> str:
    """An SQL expression of one JSON text: the values of `fields` (of `model`, each of a
    type in JSON_EXACT) of its rows (the table aliased `r`) matching `where`, each row an
    array, in `order_by` order (field names, "-" for descending), '[]' for none. Each of
    `joined` (foreign keys of `model`) adds, after them, every concrete field of the row it
    points to (NULL where it points to none), as select_related reads it. Written from the
    models' metadata; `where` is the caller's SQL (its values parameters)."""
    quote = connection.ops.quote_name
    columns = [_json_column("r", f) for f in fields]
    joins = ""
    for i, key in enumerate(joined):
        alias, target = f"j{i}", key.related_model
        columns += [_json_column(alias, f) for f in target._meta.concrete_fields]
        joins += (
            f" LEFT JOIN {quote(target._meta.db_table)} {alias}"
            f" ON {alias}.{quote(key.target_field.column)} = r.{quote(key.column)}"
        )
    order = ", ".join(
        f"r.{quote(model._meta.get_field(name.lstrip('-')).column)}{' DESC' if name.startswith('-') else ''}"
        for name in order_by
    )
    return (
        f"(SELECT COALESCE(json_agg(json_build_array({', '.join(columns)}){f' ORDER BY {order}' if order else ''}),"  # noqa: S608
        f" '[]')::text FROM {quote(model._meta.db_table)} r{joins} WHERE {where})"
    )


def _json_column(alias: str, field) -> str:
    # A JSON field's value as its text, which its from_db_value reads as it reads a column's.
    column = f"{alias}.{connection.ops.quote_name(field.column)}"
    return f"{column}::text" if field.get_internal_type() == "JSONField" else column


def json_rows_read(fields: list, text: str) -> list[list]:
    """The rows of a JSON text of `json_rows_sql`, each value what the ORM reads for its
    field: decimals stay exact (parse_float); a value JSON does not carry as the ORM reads
    it (a date, a time, a UUID) goes through its field's to_python, a JSON field's text
    through its from_db_value."""
    back = [(i, _json_back(field)) for i, field in enumerate(fields) if not _json_as_read(field)]
    rows = json.loads(text, parse_float=decimal.Decimal)
    for values in rows:
        for i, to_python in back:
            if values[i] is not None:
                values[i] = to_python(values[i])
    return rows


def _json_back(field):
    if field.get_internal_type() == "JSONField":
        return lambda text: field.from_db_value(text, None, connection)
    return field.to_python


# Field types whose JSON value is already the Python value the ORM reads (text, integers).
_JSON_AS_READ = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "CharField", "ForeignKey", "IntegerField", "OneToOneField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField", "BooleanField",
})  # fmt: skip


def _json_as_read(field) -> bool:
    """A foreign key to a UUID primary key is a UUID, not an integer: its target decides."""
    if field.get_internal_type() in ("ForeignKey", "OneToOneField"):
        return _json_as_read(field.target_field)
    return field.get_internal_type() in _JSON_AS_READ


def values_by_id(model, ids: set, *fields: str) -> dict:
    """`fields` of the `model` rows with these ids, as dicts by id (no query without ids)."""
    ids.discard(None)
    if not ids:
        return {}
    return {row["id"]: row for row in model._default_manager.order_by().filter(pk__in=ids).values("id", *fields)}


class CaseRead(NamedTuple):
    """A case read as values, as the PHI access log (um_portal.audit) takes it: a case, and
    whose information it holds."""

    pk: uuid.UUID
    access_log_member_id: int
    access_log_kind: str = "case"


@dataclass
class CasePage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _list_key(row) -> tuple:
    """(received_at, id) of a list row: a case, or a dict of its values."""
    if isinstance(row, dict):
        return row["received_at"], row["id"]
    return row.received_at, row.pk


def _cursor_encode(row, direction: str) -> str:
    received_at, pk = _list_key(row)
    raw = json.dumps({"r": received_at.isoformat(), "i": str(pk), "d": direction}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        received_at, pk, direction = datetime.fromisoformat(data["r"]), str(data["i"]), data["d"]
        if direction not in ("n", "p") or received_at.tzinfo is None or len(pk) != 36:  # noqa: PLR2004
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValidationFailed("That page link is not valid.", errors={"cursor": ["Invalid cursor."]}) from None
    return received_at, pk, direction


def case_list_page(
    *,
    user,
    queryset=None,
    cursor: str | None = None,
    limit: int = 25,
    values: tuple[str, ...] | None = None,
    compiled: tuple | None = None,
) -> CasePage:
    """One page of the cases `user` may see in `queryset` (filters applied, no ordering),
    newest first (received_at, id), by keyset: no COUNT, no OFFSET. With `values` (column
    names, "id" and "received_at" among them), each row is a dict of those columns rather
    than a case: see `related_values_attach`.

    Staff read the received_at index backwards. A provider's page is the UNION of two
    backward scans, over the requesting- and the servicing-organization indexes of their
    organization, each stopped after a page, with the guardian grant checked per row: the
    cost of a page is flat in the size of the table (issue #13; a semi-join on the grants
    instead read the whole table). Rows come without related rows: see `case_related_attach`.

    `compiled`, with `values`: a key naming every filter the caller applied to `queryset`
    (the API list without filters gives `("api",)`): the first page's SQL is then compiled
    once per process and key (`um_portal.compiled.values_once`), the user's organization,
    groups and permission id part of the key (building and compiling a provider's two
    branches cost more than PostgreSQL's planning and running them, issue #13).
    """
    after = None
    direction = "n"
    if cursor:
        received_at, pk, direction = _cursor_decode(cursor)
        if direction == "n":  # older than the cursor row
            after = Q(received_at__lte=received_at) & (Q(received_at__lt=received_at) | Q(id__lt=pk))
        else:
            after = Q(received_at__gte=received_at) & (Q(received_at__gt=received_at) | Q(id__gt=pk))

    def base():  # built only when compiled (the ORM's work is what compiling once saves)
        qs = AuthorizationRequest.objects.all() if queryset is None else queryset
        if values is not None:
            qs = qs.values(*values)
        return qs if after is None else qs.filter(after)

    order = ("-received_at", "-id") if direction == "n" else ("received_at", "id")
    once = ("case_list_page", *compiled, values, limit) if compiled is not None and values and not cursor else None
    if user_can(user, Perm.CASE_VIEW_ALL):

        def everyone():
            return base().order_by(*order)[: limit + 1]

        rows = values_once((*once, "all"), everyone) if once else list(everyone())
    elif user_role(user) == Role.PROVIDER and getattr(user, "organization_id", None):
        granted = case_granted(user)
        org = user.organization_id

        def branches():
            qs = base()
            requested = qs.filter(granted, requesting_organization_id=org).order_by(*order)[: limit + 1]
            serviced = qs.filter(granted, servicing_organization_id=org).order_by(*order)[: limit + 1]
            return requested, serviced

        # UNION ALL: a case the organization both requested and services comes twice;
        # the first limit+1 distinct rows are among these, dropped twice here.
        if connection.features.supports_slicing_ordering_in_compound:

            def union():
                requested, serviced = branches()
                return requested.union(serviced, all=True)

            # The grant's parameters: the cached permission id and the user's group ids.
            grant = ("org", org, granted.permission_id, granted.group_ids)
            found = values_once((*once, *grant), union) if once else list(union())
        else:  # SQLite (`make run`): the two branches one after the other
            requested, serviced = branches()
            found = [*requested, *serviced]
        both = {_list_key(row)[1]: row for row in found}
        rows = sorted(both.values(), key=_list_key, reverse=direction == "n")[: limit + 1]
    else:
        rows = []
    more = len(rows) > limit
    rows = rows[:limit]
    if direction == "p":
        rows.reverse()
        previous_cursor = _cursor_encode(rows[0], "p") if more and rows else None
        next_cursor = _cursor_encode(rows[-1], "n") if rows else None
    else:
        next_cursor = _cursor_encode(rows[-1], "n") if more and rows else None
        previous_cursor = _cursor_encode(rows[0], "p") if cursor and rows else None
    return CasePage(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor)


def office_q(user, prefix: str = "") -> Q:
    """The case (at `prefix`, e.g. "case__") is the user's organization's, as requester or
    servicer. For a provider this bounds what `cases_visible_to` gives without changing it
    (grants are written for those two organizations only, `cases.services.receipt`) and
    gives the planner the organization indexes to start from (issue #13)."""
    org = getattr(user, "organization_id", None)
    return Q(**{f"{prefix}requesting_organization_id": org}) | Q(**{f"{prefix}servicing_organization_id": org})


def office_cases(user, queryset=None):
    """`cases_visible_to(user, queryset)` bounded by `office_q`: the provider's cases read from
    the organization indexes instead of every case with a grant check. Guardian stays the
    authority: the grant is still checked on every row."""
    return cases_visible_to(user, queryset).filter(office_q(user))


def provider_label(organization, practitioner) -> dict:
    """`{"npi", "name"}` for the practitioner if there is one, else the organization."""
    if practitioner is not None:
        return {"npi": practitioner.npi, "name": practitioner.name}
    return {"npi": organization.npi, "name": organization.name}


def member_find(*, member_number: str, date_of_birth):
    """The member with this number and date of birth (both must match), or None."""
    from .models import Member

    if not member_number or date_of_birth is None:
        return None
    return (
        Member.objects.filter(member_number=member_number.strip().upper(), date_of_birth=date_of_birth)
        .prefetch_related("coverages")
        .first()
    )


def member_eligibility(*, member, day) -> dict:
    """Eligibility of `member` on `day`, from prefetched coverages: the coverage in force,
    or (when not covered) the most recent one, so the caller sees when it ended."""
    coverages = sorted(member.coverages.all(), key=lambda c: c.effective_date, reverse=True)
    active = next((c for c in coverages if c.is_active_on(day)), None)
    shown = active or next((c for c in coverages if c.effective_date <= day), None) or (coverages or [None])[0]
    return {
        "eligible": active is not None,
        "on": day,
        "plan": shown.plan_name if shown else None,
        "line_of_business": shown.line_of_business if shown else None,
        "line_of_business_label": shown.get_line_of_business_display() if shown else None,
        "state": shown.state if shown else None,
        "coverage_start": shown.effective_date if shown else None,
        "coverage_end": shown.end_date if shown else None,
    }


def npi_resolve(npi: str):
    """(organization, practitioner or None) for a practitioner NPI or an organization NPI;
    (None, None) when the NPI is unknown."""
    from .models import Practitioner, ProviderOrganization

    practitioner = Practitioner.objects.select_related("organization").filter(npi=npi).first()
    if practitioner is not None:
        return practitioner.organization, practitioner
    return ProviderOrganization.objects.filter(npi=npi).first(), None


def case_id_for_reference(reference: str):
    """The id of the case with this reference (any case), or None. The audit page filters
    the access log's object ids by it: resolved in Python (one query) so the match is the
    same on PostgreSQL and SQLite, which store UUIDs differently."""
    return AuthorizationRequest.objects.filter(reference__iexact=reference.strip()).values_list("pk", flat=True).first()


def case_references(ids) -> dict[str, str]:
    """{case id: reference} for these case ids (as strings), in one query."""
    if not ids:
        return {}
    return {
        str(pk): reference
        for pk, reference in AuthorizationRequest.objects.filter(pk__in=ids).values_list("pk", "reference")
    }
