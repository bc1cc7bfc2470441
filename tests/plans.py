"""EXPLAIN of the statements a request sent, as sent (issue #13, the plan tests).

A statement sent as the EXECUTE of one prepared on the connection (`um_portal.prepared`) is
shown by the text it was prepared with, and explained with the generic plan PostgreSQL
keeps for it after a few runs (the stricter of its plans: it knows no parameter's value);
the plan cache is emptied before (so the forced planner settings count) and after (so the
request's own plans are made again)."""

import re

from django.db import connection, transaction

_EXECUTE = re.compile(r"EXECUTE (um_\w+)")
_PREPARE = re.compile(r"PREPARE \w+ AS ")


def sent_text(sql: str) -> str:
    """The statement text of a captured query: for an EXECUTE, the prepared statement's."""
    executed = _EXECUTE.match(sql)
    if executed is None:
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [executed.group(1)])
        (text,) = cursor.fetchone()
    return _PREPARE.sub("", text, count=1)


def explain(sql: str, *, forced=()) -> str:
    """EXPLAIN of a captured query as it was sent, with the planner methods `forced` off."""
    executed = _EXECUTE.match(sql) is not None
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in forced:
            cursor.execute(f"SET LOCAL {setting} = off")
        if executed:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute("DISCARD PLANS")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    if executed:
        with connection.cursor() as cursor:
            cursor.execute("DISCARD PLANS")
    return plan
