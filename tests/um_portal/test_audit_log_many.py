"""A list's PHI reads are one INSERT (issue #13): every row says who, what, whose, how,
where from, with the database's time, and nothing else is sent for them."""

import pytest
from django.test import RequestFactory

from um_portal.audit import access_log_record_many
from um_portal.models import AccessLog

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_page_of_reads_is_one_insert_with_one_row_per_object(nurse, make_case, django_assert_num_queries):
    cases = [make_case() for _ in range(3)]
    request = RequestFactory().get("/reviews/queue/", REMOTE_ADDR="203.0.113.7")
    request.user = nurse

    with django_assert_num_queries(1):
        access_log_record_many(user=nurse, objs=cases, how=AccessLog.How.PAGE, request=request)

    rows = list(AccessLog.objects.order_by("id"))
    assert [(r.object_kind, r.object_id, r.member_id) for r in rows] == [
        ("case", str(case.pk), case.member_id) for case in cases
    ]
    assert {(r.user_id, r.how, r.path, r.ip_address) for r in rows} == {
        (nurse.pk, "page", "/reviews/queue/", "203.0.113.7")
    }
    assert len({r.at for r in rows}) == 1 and rows[0].at is not None, "the database's time, one per statement"


def test_reads_without_a_request_or_a_signed_in_user_are_logged_without_them(make_case):
    case = make_case()

    access_log_record_many(user=None, objs=[case], how=AccessLog.How.EXPORT)

    row = AccessLog.objects.get()
    assert (row.user_id, row.path, row.ip_address, row.member_id) == (None, "", None, case.member_id)


def test_an_object_the_log_does_not_know_writes_nothing(nurse, make_case):
    with pytest.raises(TypeError, match="not PHI reads"):
        access_log_record_many(user=nurse, objs=[make_case(), nurse], how=AccessLog.How.PAGE)
    assert not AccessLog.objects.exists()


def test_an_empty_page_sends_nothing(nurse, django_assert_num_queries):
    with django_assert_num_queries(0):
        access_log_record_many(user=nurse, objs=[], how=AccessLog.How.PAGE)


def test_the_access_log_keeps_no_index_another_one_already_serves():
    # Every PHI read writes a row and each of its indexes: an index whose columns lead
    # another's is written for nothing (the foreign keys' own indexes were, before the
    # (user, at) and (member, at) ones).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, array_agg(a.attname ORDER BY k.n)
                 FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) ON true
                 JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                WHERE x.indrelid = %s::regclass
                GROUP BY i.relname""",
            [AccessLog._meta.db_table],
        )
        indexes = dict(cursor.fetchall())
    redundant = [
        (name, other)
        for name, columns in indexes.items()
        for other, longer in indexes.items()
        if name != other and len(columns) < len(longer) and longer[: len(columns)] == columns
    ]
    assert redundant == [], indexes
    assert {("user_id", "at"), ("member_id", "at")} <= {tuple(columns) for columns in indexes.values()}


def test_a_user_or_member_the_log_names_cannot_be_deleted(member):
    # The log names them without database constraints (issue #13); the ORM still refuses.
    from django.db.models import ProtectedError

    from tests.factories import UserFactory

    reader = UserFactory()
    AccessLog.objects.create(user=reader, member=member, object_kind="case", object_id="x", how=AccessLog.How.API)

    with pytest.raises(ProtectedError):
        reader.delete()
    with pytest.raises(ProtectedError):
        member.delete()
    row = AccessLog.objects.get()
    assert (row.user_id, row.member_id) == (reader.pk, member.pk)


@pytest.mark.django_db(transaction=True)
def test_logging_a_read_does_not_wait_for_a_lock_on_the_reader_or_the_member(nurse, make_case):
    # A foreign-key check took a share lock on each row's user and member: a read's log
    # waited behind anyone holding that user's or member's row (and every request of one
    # busy nurse locked the same user row). The log takes no lock on either now.
    import psycopg2
    from django.db import connection

    case = make_case()
    holder = psycopg2.connect(**connection.get_connection_params())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT 1 FROM um_portal_user WHERE id = %s FOR UPDATE", [nurse.pk])
            cursor.execute("SELECT 1 FROM cases_member WHERE id = %s FOR UPDATE", [case.member_id])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            access_log_record_many(user=nurse, objs=[case], how=AccessLog.How.API)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    finally:
        holder.rollback()
        holder.close()
    assert AccessLog.objects.filter(user=nurse, object_id=str(case.pk), member_id=case.member_id).count() == 1
