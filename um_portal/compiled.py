"""Querysets compiled once per process (issue #13).

Django compiles a queryset's SQL on every evaluation; for a query with correlated
subqueries (the reviewers with their open loads, every work-queue page) compiling cost
more than PostgreSQL's planning and running it together. `raw_once` keeps the SQL and
parameters Django compiled, under a key that names everything the queryset depends on, and
runs them again as a raw query: the same rows, as model instances with the annotations as
attributes. `values_once` does the same for a `values()` queryset (a page of the work
queue or of a provider's list): the rows as the dicts Django would give, each value through
the same converters."""

from collections import OrderedDict
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import RawQuerySet, ValuesIterable

from um_portal import prepared

MAX_ENTRIES = 128
_compiled: OrderedDict = OrderedDict()
_lock = Lock()
# values_once keys name a provider organization's groups: more of them, in a table of their
# own so that they do not push the reviewers' lists out.
VALUES_MAX_ENTRIES = 512
_values_compiled: OrderedDict = OrderedDict()
_NOTHING = object()  # the queryset can match no row (Django's EmptyResultSet): no query


def _entry_get(table: OrderedDict, key: tuple):
    with _lock:
        entry = table.get(key)
        if entry is not None:
            table.move_to_end(key)
        return entry


def _entry_put(table: OrderedDict, key: tuple, entry, limit: int) -> None:
    with _lock:
        table[key] = entry
        while len(table) > limit:
            table.popitem(last=False)


def raw_once(key: tuple, build, *, using: str = DEFAULT_DB_ALIAS) -> list:
    """The rows of `build()`, as a list of model instances (a queryset without select_related or
    prefetch: a raw query maps columns to the model's fields and annotations only), its
    SQL compiled on the first call per process and `key`. `key` must name everything
    `build` reads (arguments, today's date): what it compiles is reused for every call
    with the same key. The last MAX_ENTRIES keys are kept."""
    cache_key = (using, connections[using].vendor, *key)
    entry = _entry_get(_compiled, cache_key)
    if entry is None:
        queryset: QuerySet = build()
        if queryset.query.select_related or queryset._prefetch_related_lookups or queryset._fields is not None:
            raise ValueError("raw_once takes a queryset of model instances without select_related or prefetch")
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        entry = (queryset.model, sql, params)
        _entry_put(_compiled, cache_key, entry, MAX_ENTRIES)
    model, sql, params = entry
    # Prepared once per connection as well: PostgreSQL planned the reviewers' list (its
    # correlated subqueries) in 0.7 ms on every work-queue page.
    with prepared.statements(using):
        return list(RawQuerySet(sql, model=model, params=params, using=using))


def values_once(key: tuple, build, *, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
    """The rows of `build()`, a `values()` queryset (slices, unions and annotations
    allowed), as the dicts iterating it gives, its SQL compiled on the first call per
    process and `key`. `key` must name everything `build` reads: the filters' values, the
    user's organization and groups, the page size (what it compiles, parameters included,
    is reused for every call with the same key; nothing that moves with the clock belongs
    in such a queryset). The last VALUES_MAX_ENTRIES keys are kept."""
    cache_key = (using, connections[using].vendor, *key)
    entry = _entry_get(_values_compiled, cache_key)
    if entry is None:
        queryset: QuerySet = build()
        if queryset._iterable_class is not ValuesIterable or queryset._prefetch_related_lookups:
            raise ValueError("values_once takes a values() queryset without prefetch")
        query = queryset.query
        compiler = query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            entry = _NOTHING
        else:
            # What ValuesIterable and SQLCompiler.results_iter do with each row.
            names = list(query.selected) if query.selected else [
                *query.extra_select, *query.values_select, *query.annotation_select
            ]  # fmt: skip
            fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
            if connections[using].vendor == "postgresql":
                sql, params = _with_values_written(connections[using], sql, params), ()
            entry = (sql, params, names, list(compiler.get_converters(fields).items()))
        _entry_put(_values_compiled, cache_key, entry, VALUES_MAX_ENTRIES)
    if entry is _NOTHING:
        return []
    sql, params, names, converters = entry
    connection = connections[using]
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
    # Django reads the first len(names) columns of a row; so does this.
    return [dict(zip(names, row, strict=False)) for row in rows]


def _with_values_written(connection, sql: str, params) -> str:
    """`sql` with its parameters written in as the driver would send them (the key names
    every one of them): a statement without parameters, which PostgreSQL plans once per
    connection when prepared (with parameters it planned the queue's page on every call, its
    custom plans cheaper than a generic one)."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def raw_once_forget() -> None:
    """Forget every compiled query (after migrate or flush, as the schema may have moved)."""
    with _lock:
        _compiled.clear()
        _values_compiled.clear()
