"""`um_portal.prepared`: statements prepared once per connection (issue #13), the same rows
as sent plainly, and never an error a plain statement would not give."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from um_portal import prepared
from um_portal.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _prepared_texts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _run(sql: str, params=()) -> list:
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchall()


def test_a_statement_is_prepared_once_and_gives_the_plain_rows(nurse, physician):
    sql = "SELECT username FROM um_portal_user WHERE username = ANY(%s) AND username LIKE 'n%%' ORDER BY username"
    with connection.cursor() as cursor:
        cursor.execute(sql, [["nurse", "physician"]])
        plain = cursor.fetchall()

    with CaptureQueriesContext(connection) as queries:
        first = _run(sql, [["nurse", "physician"]])
        second = _run(sql, [["physician"]])

    assert first == plain == [("nurse",)]
    assert second == []
    # Sent as EXECUTEs of one statement, prepared with PostgreSQL's own placeholders.
    assert all(q["sql"].startswith("EXECUTE um_") for q in queries.captured_queries)
    assert len({q["sql"].split("(")[0] for q in queries.captured_queries}) == 1
    texts = [t for t in _prepared_texts() if "ANY($1)" in t and "LIKE 'n%'" in t]
    assert len(texts) == 1


def test_what_cannot_be_prepared_is_sent_plainly_without_breaking_the_transaction(nurse):
    # PostgreSQL cannot tell the type of a bare parameter: PREPARE refuses it.
    with transaction.atomic():
        assert _run("SELECT %s IS NULL", [None]) == [(True,)]
        assert User.objects.filter(username="nurse").exists()  # the transaction goes on
    assert not [t for t in _prepared_texts() if "$1 IS NULL" in t]


@pytest.mark.django_db(transaction=True)  # the connection is closed: no test transaction around it
def test_a_new_connection_prepares_again(nurse):
    sql = "SELECT username FROM um_portal_user WHERE username = %s"
    assert _run(sql, ["nurse"]) == [("nurse",)]
    connection.close()
    assert _run(sql, ["nurse"]) == [("nurse",)]
    assert any("username = $1" in t for t in _prepared_texts())


def test_turned_off_nothing_is_prepared(nurse, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        assert _run("SELECT username FROM um_portal_user WHERE username = %s AND 2 = 2", ["nurse"]) == [("nurse",)]
    assert queries.captured_queries[0]["sql"].startswith("SELECT")
    assert not [t for t in _prepared_texts() if "2 = 2" in t]


@pytest.mark.django_db(transaction=True)
def test_no_more_than_the_cap_per_connection_the_least_recently_used_go(nurse, monkeypatch):
    connection.close()
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 2)
    for n in (0, 1, 0, 2, 3):  # 0 used again before 2 comes: 1 goes first, then 0
        assert _run(f"SELECT {n} + %s", [1]) == [(n + 1,)]
    assert sorted(t.split(" AS ", 1)[1] for t in _prepared_texts()) == ["SELECT 2 + $1", "SELECT 3 + $1"]


def test_orm_reads_in_the_block_are_prepared(nurse):
    with CaptureQueriesContext(connection) as queries:
        with prepared.statements():
            inside = list(User.objects.filter(username="nurse").values_list("username", flat=True))
        outside = list(User.objects.filter(username="nurse").values_list("username", flat=True))
    assert inside == outside == ["nurse"]
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE um_")
    assert queries.captured_queries[1]["sql"].startswith("SELECT")


def test_a_queue_filter_with_quotes_and_percent_signs_is_written_in_safely(api, nurse, make_case):
    # The first queue page is prepared with its values written in (um_portal.compiled):
    # a username with a quote, a percent sign and a placeholder lookalike stays a value.
    make_case()
    for assignee in ["o'brien%s", "x%%' OR '1'='1", "me"]:
        response = api.as_user(nurse).get("/api/v1/queues/nurse/", {"assignee": assignee})
        assert response.status_code == 200
        assert response.json()["results"] == []
    assert len(api.as_user(nurse).get("/api/v1/queues/nurse/").json()["results"]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_column_changing_type_under_a_prepared_statement_is_prepared_afresh():
    # Given a statement prepared on this connection
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE um_prepared_probe (v varchar(5))")
        cursor.execute("INSERT INTO um_prepared_probe VALUES ('a')")
    sql = "SELECT v FROM um_prepared_probe WHERE v = %s"
    assert _run(sql, ["a"]) == [("a",)]

    # When a migration changes the column's type while the connection stays open
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE um_prepared_probe ALTER COLUMN v TYPE text")

    # Then the next read still answers (PostgreSQL refused the cached plan), and the one
    # after goes through a statement prepared afresh
    assert _run(sql, ["a"]) == [("a",)]
    with CaptureQueriesContext(connection) as queries:
        assert _run(sql, ["a"]) == [("a",)]
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE um_")
    assert sum("um_prepared_probe" in t for t in _prepared_texts()) == 2
