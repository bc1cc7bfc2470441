"""Querysets compiled once per process (issue #13).

Django compiles a queryset's SQL on every evaluation; for a query with correlated
subqueries (the reviewers with their open loads, every work-queue page) compiling cost
more than PostgreSQL's planning and running it together. `raw_once` keeps the SQL and
parameters Django compiled, under a key that names everything the queryset depends on, and
runs them again as a raw query: the same rows, as model instances with the annotations as
attributes."""

from collections import OrderedDict
from threading import Lock

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import RawQuerySet

MAX_ENTRIES = 128
_compiled: OrderedDict = OrderedDict()
_lock = Lock()


def raw_once(key: tuple, build, *, using: str = DEFAULT_DB_ALIAS) -> RawQuerySet:
    """The rows of `build()` (a QuerySet of model instances, no select_related or
    prefetch: a raw query maps columns to the model's fields and annotations only), its
    SQL compiled on the first call per process and `key`. `key` must name everything
    `build` reads (arguments, today's date): what it compiles is reused for every call
    with the same key. The last MAX_ENTRIES keys are kept."""
    cache_key = (using, connections[using].vendor, *key)
    with _lock:
        entry = _compiled.get(cache_key)
        if entry is not None:
            _compiled.move_to_end(cache_key)
    if entry is None:
        queryset: QuerySet = build()
        if queryset.query.select_related or queryset._prefetch_related_lookups or queryset._fields is not None:
            raise ValueError("raw_once takes a queryset of model instances without select_related or prefetch")
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        entry = (queryset.model, sql, params)
        with _lock:
            _compiled[cache_key] = entry
            while len(_compiled) > MAX_ENTRIES:
                _compiled.popitem(last=False)
    model, sql, params = entry
    return RawQuerySet(sql, model=model, params=params, using=using)


def raw_once_forget() -> None:
    """Forget every compiled query (after migrate or flush, as the schema may have moved)."""
    with _lock:
        _compiled.clear()
