"""The access log and case events are append-only: the ORM refuses changes, and so does
PostgreSQL itself for any SQL the application runs (trigger in um_portal 0002)."""

import pytest
from django.db import DatabaseError, connection, transaction

from cases.models import CaseEvent
from um_portal.audit import access_log_record
from um_portal.models import AccessLog


@pytest.fixture
def logged_read(nurse, make_case):
    case = make_case()
    return access_log_record(user=nurse, obj=case, how=AccessLog.How.PAGE)


def _raw(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.django_db
def test_raw_sql_update_on_the_access_log_is_refused_by_the_database(logged_read):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE um_portal_accesslog SET object_id = %s WHERE id = %s", ["tampered", logged_read.pk])
    logged_read.refresh_from_db()
    assert logged_read.object_id != "tampered"


@pytest.mark.postgres
@pytest.mark.django_db
def test_raw_sql_delete_on_the_access_log_is_refused_by_the_database(logged_read):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM um_portal_accesslog WHERE id = %s", [logged_read.pk])
    assert AccessLog.objects.filter(pk=logged_read.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_raw_sql_update_and_delete_on_case_events_are_refused(make_case):
    case = make_case()
    event = CaseEvent.objects.filter(case=case).first()
    assert event is not None
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE cases_caseevent SET message = %s WHERE id = %s", ["rewritten", event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM cases_caseevent WHERE case_id = %s", [case.pk])
    event.refresh_from_db()
    assert event.message != "rewritten"


@pytest.mark.postgres
@pytest.mark.django_db
def test_inserts_still_work_under_the_trigger(nurse, make_case):
    case = make_case()
    before = AccessLog.objects.count()
    access_log_record(user=nurse, obj=case, how=AccessLog.How.API)
    assert AccessLog.objects.count() == before + 1


@pytest.mark.django_db
def test_orm_refuses_bulk_update_and_delete(logged_read):
    with pytest.raises(TypeError, match="append-only"):
        AccessLog.objects.filter(pk=logged_read.pk).update(object_id="x")
    with pytest.raises(TypeError, match="append-only"):
        AccessLog.objects.filter(pk=logged_read.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        logged_read.delete()
