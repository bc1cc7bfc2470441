"""`um_portal.compiled.raw_once`: a queryset compiled once per process and key, run again
as a raw query with the same rows, fresh each time."""

import pytest
from django.db import connection
from django.db.models import Count, Value
from django.test.utils import CaptureQueriesContext

from reviews.selectors import reviewers_for_assignment
from reviews.services.assignment import case_assign
from um_portal import compiled
from um_portal.compiled import raw_once, raw_once_forget
from um_portal.models import User

pytestmark = pytest.mark.django_db


def _users():
    return User.objects.annotate(group_count=Count("groups"), tag=Value("x")).order_by("username")


def test_same_rows_and_annotations_as_the_queryset(nurse, physician, provider):
    expected = [(u.pk, u.username, u.group_count, u.tag) for u in _users()]
    got = [(u.pk, u.username, u.group_count, u.tag) for u in raw_once(("test-users",), _users)]
    assert got == expected
    assert len(got) == 3


def test_compiled_once_then_reused_with_fresh_rows(nurse, physician):
    raw_once_forget()
    built = []

    def build():
        built.append(1)
        return _users()

    first = [u.username for u in raw_once(("test-users-once",), build)]
    User.objects.filter(pk=physician.pk).update(username="renamed")
    second = [u.username for u in raw_once(("test-users-once",), build)]
    assert built == [1]  # compiled on the first call only
    assert first == ["nurse", "physician"]
    assert second == ["nurse", "renamed"]  # the rows are read again


def test_the_oldest_keys_are_dropped_and_forget_clears(nurse):
    raw_once_forget()
    for i in range(compiled.MAX_ENTRIES + 5):
        raw_once(("test-many", i), _users)
    assert len(compiled._compiled) == compiled.MAX_ENTRIES
    assert not any(key[-1] == 0 for key in compiled._compiled)
    raw_once_forget()
    assert not compiled._compiled


def test_refuses_what_a_raw_query_cannot_map():
    with pytest.raises(ValueError, match="select_related"):
        raw_once(("test-bad",), lambda: User.objects.select_related("organization"))
    with pytest.raises(ValueError):
        raw_once(("test-bad-values",), lambda: User.objects.values("pk"))


def test_reviewer_loads_are_read_fresh_on_every_page(make_case, nurse, nurse2, physician):
    case = make_case()
    before = {u.username: u.open_load for u in reviewers_for_assignment()}
    case_assign(case_id=case.pk, actor=nurse2)
    with CaptureQueriesContext(connection) as queries:
        after = {u.username: (u.open_load, u.is_physician) for u in reviewers_for_assignment()}
    assert len(queries) == 1
    assert before["nurse2"] == 0
    assert after["nurse2"] == (1, False)
    assert after["physician"] == (0, True)
    assert after["nurse"] == (0, False)
