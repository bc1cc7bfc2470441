"""Querysets compiled once per process (issue #13).

Django compiles a queryset's SQL on every evaluation; for a query with correlated
subqueries (the reviewers with their open loads, every work-queue page) compiling cost
more than PostgreSQL's planning and running it together. `instances_once` keeps the SQL
and parameters Django compiled, under a key that names everything the queryset depends on,
and runs them again with the values of the call (a case's id): the same rows, as the model
instances Django would make, related rows of select_related and annotations included.
`values_once` does the same for a `values()` queryset (a page of the work
queue or of a provider's list): the rows as the dicts Django would give, each value through
the same converters."""

import uuid
from collections import OrderedDict
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

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


def instances_once(key: tuple, build, args: tuple = (), *, using: str = DEFAULT_DB_ALIAS) -> list:
    """The rows of `build(*args)`, a queryset of model instances (select_related and
    annotations allowed, no prefetch), as the list iterating it gives, its SQL compiled on
    the first call per process and `key` and run again with this call's `args`.

    `args` are the values that change from call to call (a case's id, a user's group ids):
    ints and UUIDs, each given to `build` as a parameter of the queryset (a filter's value),
    never used to decide what the queryset is. The first call builds it with stand-ins of
    the same types, finds where each one went among the compiled parameters and fills in
    the real values there on every call. `key` must name everything else `build` reads (the
    number of args included); what it compiles is reused for every call with the same key.
    The last MAX_ENTRIES keys are kept."""
    cache_key = (using, connections[using].vendor, *key)
    entry = _entry_get(_compiled, cache_key)
    if entry is None:
        entry = _instances_compile(build, args, using)
        _entry_put(_compiled, cache_key, entry, MAX_ENTRIES)
    if entry is _NOTHING:
        return []
    connection = connections[using]
    with connection.cursor() as cursor:
        prepared.execute(cursor, entry.sql, entry.params_for(args))
        rows = cursor.fetchall()
    return entry.instances(rows, connection, using)


# Stand-ins for instances_once's args while it compiles: values no row holds.
_INT_STAND_IN = -(2**62)
_UUID_STAND_IN = uuid.UUID("00000000-dead-4bad-8bad-000000000000").int


def _stand_in(value, position: int):
    if isinstance(value, bool) or not isinstance(value, int | uuid.UUID):
        raise TypeError(f"instances_once args are ints or UUIDs, not {type(value).__name__}")
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=_UUID_STAND_IN + position)
    return _INT_STAND_IN + position


# How a stand-in may appear among the compiled parameters, and the same form of a value.
_FORMS = {
    "as is": lambda value: value,
    "hex": lambda value: value.hex,  # a UUID where the database has no UUID type (SQLite)
    "text": str,
}
_FORMS_OF = {int: ("as is",), uuid.UUID: ("as is", "hex", "text")}


class _Compiled:
    """A queryset compiled by instances_once: its SQL, its parameters with the slots where
    the args go, and what Django's ModelIterable needs to make instances of the rows."""

    def __init__(self, queryset: QuerySet, stand_ins: list, using: str):
        query = queryset.query
        compiler = query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()  # EmptyResultSet: the caller keeps _NOTHING
        self.params = list(params)
        self.slots = []  # (position in params, position in args, form)
        forms = {}  # each stand-in's forms: {the stand-in in that form: (its position, the form)}
        for position, stand_in in enumerate(stand_ins):
            for form in _FORMS_OF[type(stand_in)]:
                forms[_FORMS[form](stand_in)] = (position, form)
        for index, param in enumerate(self.params):
            found = forms.get(param) if isinstance(param, int | str | uuid.UUID) else None
            if found is not None and not isinstance(param, bool):
                self.slots.append((index, *found))
        missing = set(range(len(stand_ins))) - {position for _i, position, _f in self.slots}
        written = [form for form in forms if str(form) in self.sql]
        if missing or written:
            # A value that is not a parameter would be compiled into the SQL kept for everyone.
            raise ValueError("instances_once: every arg must reach the SQL built as a parameter")
        # What ModelIterable reads off the compiler after running it.
        self.model = compiler.klass_info["model"]
        fields = compiler.klass_info["select_fields"]
        self.model_start, self.model_end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in compiler.select[self.model_start : self.model_end]]
        self.populators = get_related_populators(compiler.klass_info, compiler.select, using)
        self.annotations = list(compiler.annotation_col_map.items())
        selected = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        self.converters = list(compiler.get_converters(selected).items())

    def params_for(self, args: tuple) -> list:
        params = list(self.params)
        for index, position, form in self.slots:
            params[index] = _FORMS[form](args[position])
        return params

    def instances(self, rows, connection, using: str) -> list:
        if self.converters:
            rows = _converted(rows, self.converters, connection)
        model, start, end, init_list = self.model, self.model_start, self.model_end, self.init_list
        found = []
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def _instances_compile(build, args: tuple, using: str):
    stand_ins = [_stand_in(value, position) for position, value in enumerate(args)]
    queryset: QuerySet = build(*stand_ins)
    if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
        raise ValueError("instances_once takes a queryset of model instances without prefetch")
    try:
        return _Compiled(queryset, stand_ins, using)
    except EmptyResultSet:
        return _NOTHING


def _converted(rows, converters, connection) -> list[list]:
    """`rows` with each value through Django's converters for its column (what
    SQLCompiler.apply_converters does, with this call's connection)."""
    rows = [list(row) for row in rows]
    for row in rows:
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
    return rows


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
        rows = _converted(rows, converters, connection)
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


def compiled_forget() -> None:
    """Forget every compiled query (after migrate or flush, as the schema may have moved)."""
    with _lock:
        _compiled.clear()
        _values_compiled.clear()
