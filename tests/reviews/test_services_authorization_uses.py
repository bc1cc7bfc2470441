"""Issue 19: units used are append-only (ORM and PostgreSQL both refuse a change; TRUNCATE and
the app role's grants are tested for every append-only table in tests/um_portal/
test_audit_db_roles.py) and every recorded use is an event on the authorization's case."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import CaseEvent
from reviews.models import Authorization, AuthorizationUse
from reviews.services.authorizations import authorization_units_import
from reviews.services.decisions import case_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorization(make_case, nurse):
    start = timezone.localdate() + timedelta(days=2)
    case = make_case(
        lines=[
            {"code_system": "CPT", "code": "97110", "units": 10, "start_date": start,
             "end_date": start + timedelta(days=30)},
        ]
    )  # fmt: skip
    case_approve(case_id=case.pk, actor=nurse)
    return Authorization.objects.get(case=case)


@pytest.fixture
def use(authorization, admin_user):
    day = authorization.valid_from.isoformat()
    authorization_units_import(
        text=f"authorization_number,line,units,date\n{authorization.number},1,3,{day}\n", actor=admin_user
    )
    return AuthorizationUse.objects.get(line__authorization=authorization)


def _raw(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_recorded_use_is_an_event_on_the_case(authorization, admin_user):
    day = authorization.valid_from
    authorization_units_import(
        text=(
            "authorization_number,line,units,date\n"
            f"{authorization.number},1,3,{day.isoformat()}\n"
            f"{authorization.number},1,1,{(day + timedelta(days=1)).isoformat()}\n"
        ),
        actor=admin_user,
    )

    events = list(CaseEvent.objects.filter(case=authorization.case, kind="units_used").order_by("id"))
    uses = list(AuthorizationUse.objects.order_by("id"))
    assert [e.data["use_id"] for e in events] == [u.pk for u in uses]
    assert [e.new_value for e in events] == ["3", "1"]
    assert events[0].actor == admin_user
    assert events[0].message == f"3 units used on line 1 of authorization {authorization.number} on {day.isoformat()}."


def test_a_refused_import_writes_no_event(authorization, admin_user):
    day = authorization.valid_from.isoformat()
    with pytest.raises(Exception, match="Nothing was imported"):
        authorization_units_import(
            text=f"authorization_number,line,units,date\n{authorization.number},1,11,{day}\n", actor=admin_user
        )

    assert not CaseEvent.objects.filter(kind="units_used").exists()


def test_the_orm_refuses_to_change_or_delete_a_use(use):
    use.units = 1
    with pytest.raises(TypeError, match="append-only"):
        use.save()
    with pytest.raises(TypeError, match="append-only"):
        AuthorizationUse.objects.filter(pk=use.pk).update(units=1)
    with pytest.raises(TypeError, match="append-only"):
        AuthorizationUse.objects.filter(pk=use.pk).delete()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_a_use(use):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE reviews_authorizationuse SET units = 9 WHERE id = %s", [use.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM reviews_authorizationuse WHERE id = %s", [use.pk])
    use.refresh_from_db()
    assert use.units == 3
