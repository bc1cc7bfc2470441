"""`um_portal.compiled.raw_once`: a queryset compiled once per process and key, run again
as a raw query with the same rows, fresh each time."""

import pytest
from django.db import connection
from django.db.models import Count, Value
from django.test.utils import CaptureQueriesContext

from reviews.selectors import reviewers_for_assignment
from reviews.services.assignment import case_assign
from um_portal import compiled
from um_portal.compiled import raw_once, raw_once_forget, values_once
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


# values_once: a values() queryset compiled once per process and key.


def _case_values():
    from cases.models import AuthorizationRequest
    from cases.selectors import LIST_COLUMNS

    return AuthorizationRequest.objects.values(*LIST_COLUMNS, "clinical_summary").order_by("-received_at", "-id")


def test_values_once_gives_the_dicts_iterating_the_queryset_gives(make_case, nurse, settings):
    # Given cases with every kind of column a list row reads (uuid, datetimes, nulls, text)
    settings.TIME_ZONE = "America/Chicago"
    make_case()
    make_case(requesting_practitioner=None, urgency="expedited", expedited_reason="Severe pain")
    raw_once_forget()

    # When their values are read through values_once, twice (compiled, then reused)
    first = values_once(("test-case-values",), _case_values)
    again = values_once(("test-case-values",), _case_values)

    # Then both are what Django gives, value for value and type for type
    expected = list(_case_values())
    assert first == expected == again
    assert len(first) == 2
    for got, want in zip(first, expected, strict=True):
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
        assert list(got) == list(want)


def test_values_once_union_slices_and_annotations(make_case, ortho, imaging):
    from django.db.models import F

    from cases.models import AuthorizationRequest

    make_case()
    make_case(servicing_organization=imaging)

    def build():
        base = AuthorizationRequest.objects.values("id", "received_at").annotate(org=F("servicing_organization_id"))
        left = base.filter(servicing_organization=ortho).order_by("-received_at")[:5]
        right = base.filter(servicing_organization=imaging).order_by("-received_at")[:5]
        return left.union(right, all=True)

    got = values_once(("test-union",), build)
    assert sorted(got, key=lambda r: r["received_at"]) == sorted(build(), key=lambda r: r["received_at"])
    assert {row["org"] for row in got} == {ortho.pk, imaging.pk}


def test_values_once_compiles_once_and_reads_fresh_rows(nurse, physician):
    raw_once_forget()
    built = []

    def build():
        built.append(1)
        return User.objects.values("username").order_by("username")

    first = values_once(("test-values-once",), build)
    User.objects.filter(pk=physician.pk).update(username="renamed")
    with CaptureQueriesContext(connection) as queries:
        second = values_once(("test-values-once",), build)
    assert built == [1]
    assert [r["username"] for r in first] == ["nurse", "physician"]
    assert [r["username"] for r in second] == ["nurse", "renamed"]
    assert len(queries) == 1


def test_values_once_of_a_queryset_matching_nothing_asks_nothing(nurse):
    with CaptureQueriesContext(connection) as queries:
        assert values_once(("test-values-empty",), lambda: User.objects.filter(pk__in=[]).values("pk")) == []
        assert values_once(("test-values-empty",), lambda: User.objects.filter(pk__in=[]).values("pk")) == []
    assert len(queries) == 0


def test_values_once_refuses_model_querysets_and_keeps_its_own_bounded_table(nurse):
    with pytest.raises(ValueError, match="values"):
        values_once(("test-values-bad",), lambda: User.objects.all())
    raw_once_forget()
    raw_once(("test-kept",), _users)
    for i in range(compiled.VALUES_MAX_ENTRIES + 3):
        values_once(("test-values-many", i), lambda: User.objects.values("pk"))
    assert len(compiled._values_compiled) == compiled.VALUES_MAX_ENTRIES
    assert len(compiled._compiled) == 1  # the reviewers' lists are not pushed out
    raw_once_forget()
    assert not compiled._values_compiled
