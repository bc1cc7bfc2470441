"""The PHI access log: one call per read, from every door."""

import functools

from django.db import connections, router

from .. import prepared
from ..client_ip import client_ip
from ..models import AccessLog


def access_log_record(*, user, obj, how: str, request=None, member=None) -> AccessLog:
    """Record that `user` read `obj` (a case, member, attachment or letter). The object
    says what it is (`access_log_kind`) and whose information it holds
    (`access_log_member_id`); `member` overrides the latter where the caller knows better.
    Returns the row (one read, one insert: lists go through `access_log_record_many`).
    On PostgreSQL one prepared INSERT ... RETURNING (issue #13: saving through the model
    cost a case detail 0.7 ms of Python)."""
    values = {
        "user_id": user.pk if getattr(user, "is_authenticated", False) else None,
        "object_kind": _kind(obj),
        "object_id": str(obj.pk),
        "member_id": member.pk if member is not None else obj.access_log_member_id,
        "how": how,
        "path": request.path[:300] if request is not None else "",
        "ip_address": client_ip(request),
    }
    connection = connections[router.db_for_write(AccessLog)]
    if connection.vendor != "postgresql":  # SQLite (`make run` without PostgreSQL)
        return AccessLog.objects.create(**values)
    with connection.cursor() as cursor:
        prepared.execute(cursor, _insert_one_sql(connection.alias), list(values.values()))
        pk, at = cursor.fetchone()
    return AccessLog.from_db(connection.alias, ["id", "at", *values], [pk, at, *values.values()])


def access_log_export_record(*, user, request, row_count: int, filters_text: str) -> AccessLog:
    """An export of the access log is itself a disclosure: record who took it and what."""
    return AccessLog.objects.create(
        user=user,
        object_kind=AccessLog.ObjectKind.ACCESS_LOG,
        object_id=f"csv:{row_count}"[:64],
        member=None,
        how=AccessLog.How.EXPORT,
        path=f"{request.path} [{filters_text}]"[:300],
        ip_address=client_ip(request),
    )


def access_log_record_many(*, user, objs, how: str, request=None) -> None:
    """One row per object read in a list (a page of cases, a work queue, an admin list), in
    one insert. Each object says what it is, as for `access_log_record`."""
    rows = [(_kind(obj), str(obj.pk), obj.access_log_member_id) for obj in objs]
    if rows:
        _insert(user=user, how=how, request=request, rows=rows)


def _kind(obj) -> str:
    kind = getattr(obj, "access_log_kind", None)
    if kind not in _KINDS:
        raise TypeError(f"Reads of {type(obj).__name__} are not PHI reads the log knows.")
    return kind


_KINDS = frozenset(AccessLog.ObjectKind.values)


def _insert(*, user, how: str, request, rows: list) -> None:
    """Rows of (kind, object id, member id) read by one user in one request: one INSERT with
    no RETURNING (nobody reads the rows back), the columns alike for every row given once,
    the client address worked out once. The database still sets each row's time (its
    DEFAULT and insert trigger, um_portal/audit/database.py). Issue #13: building 50 model
    instances and a bulk_create with RETURNING cost 6-10 ms of a 50-row queue page."""
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    path = request.path[:300] if request is not None else ""
    ip_address = client_ip(request)
    connection = connections[router.db_for_write(AccessLog)]
    if connection.vendor != "postgresql":  # SQLite (`make run` without PostgreSQL)
        AccessLog.objects.bulk_create(
            AccessLog(
                user_id=user_id,
                object_kind=kind,
                object_id=object_id,
                member_id=member_id,
                how=how,
                path=path,
                ip_address=ip_address,
            )
            for kind, object_id, member_id in rows
        )
        return
    kinds, object_ids, member_ids = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        prepared.execute(
            cursor, _insert_sql(connection.alias), [user_id, how, path, ip_address, kinds, object_ids, member_ids]
        )


@functools.cache
def _insert_one_sql(alias: str) -> str:
    """INSERT of one row (the columns of `access_log_record`'s values, in that order) giving
    back its id and the time the database set."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = AccessLog._meta
    names = ("user", "object_kind", "object_id", "member", "how", "path", "ip_address")
    columns = ", ".join(qn(meta.get_field(name).column) for name in names)
    return (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608 - names are the model's; values are parameters
        f"VALUES (%s, %s, %s, %s, %s, %s, %s::inet) RETURNING {qn(meta.pk.column)}, {qn(meta.get_field('at').column)}"
    )


@functools.cache
def _insert_sql(alias: str) -> str:
    """INSERT ... SELECT FROM unnest(the per-row columns as arrays), from the model's own
    table and columns; `at` is left to the database. The texts travel as text[], so a value
    too long for its column is refused by the insert, not cut short by a cast."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = AccessLog._meta
    fields = [meta.get_field(name) for name in ("user", "how", "path", "ip_address")]
    per_row = [meta.get_field(name) for name in ("object_kind", "object_id", "member")]
    columns = ", ".join(qn(field.column) for field in fields + per_row)
    member_type = meta.get_field("member").db_type(connection)
    user_type = meta.get_field("user").db_type(connection)
    arrays = f"%s::text[], %s::text[], %s::{member_type}[]"
    # Every parameter typed, so that PostgreSQL can prepare the statement (um_portal.prepared).
    return (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608 - names are the model's; values are parameters
        f"SELECT %s::{user_type}, %s::text, %s::text, %s::inet, r.kind, r.object_id, r.member_id "
        f"FROM unnest({arrays}) AS r(kind, object_id, member_id)"
    )
