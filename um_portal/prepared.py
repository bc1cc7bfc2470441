"""Statements prepared once per database connection (issue #13).

PostgreSQL plans every statement it is sent; for the small statements every request sends
(the API token with its user and groups, a page of the work queue, a provider's first
page, the related rows of a page) planning cost more than running them: 0.4-0.5 ms to
plan the token statement against 0.06 ms to run it prepared (pgbench on the 1M-case
database). `execute` sends such a statement as `EXECUTE name(...)` of a statement prepared
on that connection the first time it is seen there, so PostgreSQL parses it once and plans
it with its plan cache (a generic plan once it is as good as the custom ones).

Only statements of fixed text go through here: the same SQL for every call, the values as
parameters. Each connection keeps at most MAX_PER_CONNECTION of them, the least recently
used deallocated to make room; where PostgreSQL cannot prepare one (a parameter whose type
it cannot infer), the statement is sent as it is. Prepared statements live as long as the session and are not
undone by a rollback; a new connection starts with none.

A pooler that hands one session to many clients in turn (PgBouncer in transaction mode)
does not keep a session's prepared statements: set DATABASE_PREPARED_STATEMENTS=0 there.
"""

import hashlib
import re
from collections import OrderedDict
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

MAX_PER_CONNECTION = 128
_PLACEHOLDER = re.compile(r"%[%s]")


def _numbered(sql: str) -> tuple[str, int]:
    """Django's `%s` placeholders as PostgreSQL's `$1`, `$2`...; `%%` as `%`."""
    count = 0

    def number(match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


class _Session:
    """The statements prepared on one session: {sql: name, or None where it could not be
    prepared}, least recently used first, and how many names were given (a name is never
    given twice in a session)."""

    def __init__(self, raw):
        self.raw = raw
        self.names: OrderedDict[str, str | None] = OrderedDict()
        self.given = 0


def _session(connection) -> _Session:
    raw = connection.connection
    session = getattr(connection, "_um_prepared", None)
    if session is None or session.raw is not raw:
        session = connection._um_prepared = _Session(raw)
    return session


def _takes_commands(session: _Session) -> bool:
    """The session is idle or in a transaction that has not failed."""
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS

    return session.raw.info.transaction_status in (TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS)


def _prepare(session: _Session, sql: str, count: int) -> str | None:
    text, placeholders = _numbered(sql)
    if placeholders != count:
        return None
    import psycopg2
    from psycopg2.extensions import TRANSACTION_STATUS_INTRANS

    session.given += 1
    name = f"um_{session.given}_{hashlib.blake2b(sql.encode(), digest_size=6).hexdigest()}"
    if not _takes_commands(session):
        return None
    # On the driver's own cursor: a connection's setup, like Django's own, not a query of
    # the request (query counts and captures see the EXECUTEs).
    with session.raw.cursor() as cursor:
        in_transaction = session.raw.info.transaction_status == TRANSACTION_STATUS_INTRANS
        if in_transaction:  # a refused PREPARE must not abort the caller's transaction
            cursor.execute("SAVEPOINT um_prepare")
        try:
            cursor.execute(f"PREPARE {name} AS {text}")
        except psycopg2.Error:
            if not in_transaction:
                return None
            cursor.execute("ROLLBACK TO SAVEPOINT um_prepare")
            cursor.execute("RELEASE SAVEPOINT um_prepare")
            return None
        if in_transaction:
            cursor.execute("RELEASE SAVEPOINT um_prepare")
    return name


def _name_for(connection, sql: str, count: int) -> str | None:
    """The name `sql` is prepared under on this connection (prepared now if it is new and
    there is room), or None: send it as it is."""
    session = _session(connection)
    if sql in session.names:
        session.names.move_to_end(sql)
        return session.names[sql]
    while len(session.names) >= MAX_PER_CONNECTION:
        if not _forget_oldest(session):
            return None
    name = session.names[sql] = _prepare(session, sql, count)
    return name


def _forget_oldest(session: _Session) -> bool:
    """Deallocate the least recently used statement, to make room; False if the session
    cannot take a command now (a failed transaction)."""
    if not _takes_commands(session):
        return False
    _sql, name = session.names.popitem(last=False)
    if name is not None:
        with session.raw.cursor() as cursor:
            cursor.execute(f"DEALLOCATE {name}")
    return True


def _sent(connection, sql: str, name: str | None, send, plain):
    """`send()` (the EXECUTE of `name`), or `plain()` if there is no name. A table's column
    changed type since the statement was prepared (a migration while this connection was
    open): PostgreSQL refuses the cached plan ("cached plan must not change result type");
    the statement is prepared afresh next time under a new name, and this once, outside a
    transaction, sent plainly."""
    if name is None:
        return plain()
    try:
        return send()
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) != "0A000":
            raise
        _session(connection).names.pop(sql, None)
        if connection.in_atomic_block:
            raise
        return plain()


def _execute_text(name: str, count: int) -> str:
    return f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"


def enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Statements on `using` go prepared (PostgreSQL, DATABASE_PREPARED_STATEMENTS on): a
    statement's planning is paid once per connection, not per request."""
    return _enabled(connections[using])


def _enabled(connection) -> bool:
    return connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS


def execute(cursor, sql: str, params=()) -> None:
    """`cursor.execute(sql, params)` (a Django cursor), sent on PostgreSQL as the EXECUTE of
    a statement prepared once per connection. `sql` must be the same text for every call
    (values as `%s` parameters, never in the text); without parameters it is taken as it
    is, `%` included."""
    connection = cursor.db
    params = list(params) or None  # none: the text is sent as it is, `%` and all
    count = len(params or ())
    if not _enabled(connection):
        cursor.execute(sql, params)
        return
    connection.ensure_connection()
    text = sql if params else sql.replace("%", "%%")  # as Django writes a statement's text
    name = _name_for(connection, text, count)
    _sent(
        connection,
        text,
        name,
        lambda: cursor.execute(_execute_text(name, count), params),
        lambda: cursor.execute(sql, params),
    )


@contextmanager
def statements(using: str = DEFAULT_DB_ALIAS):
    """Within the block, each SELECT the ORM sends on `using` goes as the EXECUTE of a
    statement prepared once per connection: for a read whose SQL is the same text on every
    request, its values parameters (a case by id, its lines and events by case id), so
    that PostgreSQL parses and plans it once per connection, not once per request."""
    connection = connections[using]
    if not _enabled(connection):
        yield
        return
    with connection.execute_wrapper(_prepared_select):
        yield


def _prepared_select(execute, sql, params, many, context):
    if many or not sql.startswith("SELECT "):
        return execute(sql, params, many, context)
    values = list(params or ())
    text = sql if params is not None else sql.replace("%", "%%")  # as Django writes a statement's text
    connection = context["connection"]
    name = _name_for(connection, text, len(values))
    return _sent(
        connection,
        text,
        name,
        lambda: execute(_execute_text(name, len(values)), values, many, context),
        lambda: execute(sql, params, many, context),
    )
