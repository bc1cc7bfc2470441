"""`access_log_record` writes one row with one prepared INSERT ... RETURNING (issue #13)
and gives back the row as the database holds it: every column, the database's time."""

import pytest
from django.test import RequestFactory

from um_portal.audit import access_log_record
from um_portal.models import AccessLog

pytestmark = pytest.mark.django_db


def _columns(row: AccessLog) -> dict:
    return {field.attname: getattr(row, field.attname) for field in AccessLog._meta.concrete_fields}


def test_the_row_given_back_is_the_row_written(nurse, make_case):
    case = make_case()
    request = RequestFactory().get("/reviews/cases/x/", REMOTE_ADDR="192.0.2.7")

    given = access_log_record(user=nurse, obj=case, how=AccessLog.How.PAGE, request=request)

    stored = AccessLog.objects.get(pk=given.pk)
    assert _columns(given) == _columns(stored)
    assert (given.user_id, given.object_kind, given.object_id, given.member_id) == (
        nurse.pk,
        "case",
        str(case.pk),
        case.member_id,
    )
    assert (given.how, given.path, given.ip_address) == ("page", "/reviews/cases/x/", "192.0.2.7")
    assert given.at is not None and given.at.tzinfo is not None


def test_an_anonymous_read_without_a_request_is_logged_too(make_case):
    from django.contrib.auth.models import AnonymousUser

    case = make_case()
    given = access_log_record(user=AnonymousUser(), obj=case, how=AccessLog.How.API)
    stored = AccessLog.objects.get(pk=given.pk)
    assert _columns(given) == _columns(stored)
    assert given.user_id is None and given.path == "" and given.ip_address is None
