"""`um_portal.compiled`: querysets compiled once per process and key, run again with the
same rows (fresh each time) as model instances (`instances_once`) or values (`values_once`)."""

import pytest
from django.db import connection
from django.db.models import Count, Value
from django.test.utils import CaptureQueriesContext

from reviews.selectors import reviewers_for_assignment
from reviews.services.assignment import case_assign
from um_portal import compiled
from um_portal.compiled import compiled_forget, instances_once, values_once
from um_portal.models import User

pytestmark = pytest.mark.django_db


def _users():
    return User.objects.annotate(group_count=Count("groups"), tag=Value("x")).order_by("username")


def test_same_rows_and_annotations_as_the_queryset(nurse, physician, provider):
    expected = [(u.pk, u.username, u.group_count, u.tag) for u in _users()]
    got = [(u.pk, u.username, u.group_count, u.tag) for u in instances_once(("test-users",), _users)]
    assert got == expected
    assert len(got) == 3


def test_compiled_once_then_reused_with_fresh_rows(nurse, physician):
    compiled_forget()
    built = []

    def build():
        built.append(1)
        return _users()

    first = [u.username for u in instances_once(("test-users-once",), build)]
    User.objects.filter(pk=physician.pk).update(username="renamed")
    second = [u.username for u in instances_once(("test-users-once",), build)]
    assert built == [1]  # compiled on the first call only
    assert first == ["nurse", "physician"]
    assert second == ["nurse", "renamed"]  # the rows are read again


def test_the_oldest_keys_are_dropped_and_forget_clears(nurse):
    compiled_forget()
    for i in range(compiled.MAX_ENTRIES + 5):
        instances_once(("test-many", i), _users)
    assert len(compiled._compiled) == compiled.MAX_ENTRIES
    assert not any(key[-1] == 0 for key in compiled._compiled)
    compiled_forget()
    assert not compiled._compiled


def test_refuses_what_it_cannot_make_instances_of():
    with pytest.raises(ValueError, match="prefetch"):
        instances_once(("test-bad",), lambda: User.objects.prefetch_related("groups"))
    with pytest.raises(ValueError):
        instances_once(("test-bad-values",), lambda: User.objects.values("pk"))


def test_args_fill_their_slots_on_every_call(nurse, physician, provider):
    # Given a queryset of users by two ids, compiled on the first call
    compiled_forget()
    built = []

    def build(first, second):
        built.append((first, second))
        return User.objects.filter(pk__in=[first, second]).order_by("username")

    # When it is called with other ids each time
    one = instances_once(("test-slots",), build, (nurse.pk, physician.pk))
    with CaptureQueriesContext(connection) as queries:
        two = instances_once(("test-slots",), build, (provider.pk, nurse.pk))

    # Then each call gives the rows of its own ids, from the SQL compiled once
    assert [u.username for u in one] == ["nurse", "physician"]
    assert [u.username for u in two] == ["nurse", "provider"]
    assert len(built) == 1
    assert all(value < 0 for value in built[0])  # compiled with stand-ins, never with a caller's ids
    assert len(queries) == 1


def test_select_related_rows_are_the_instances_django_makes(make_case, nurse):
    # Given a case with events, one of them by a nurse
    from cases.models import CaseEvent
    from reviews.services.assignment import case_assign

    case = make_case()
    case_assign(case_id=case.pk, actor=nurse)

    def build(case_id):
        return CaseEvent.objects.select_related("actor").filter(case_id=case_id).order_by("at", "id")

    # When they are read through instances_once
    with CaptureQueriesContext(connection) as queries:
        got = instances_once(("test-events",), build, (case.pk,))
        actors = [event.actor.username if event.actor else None for event in got]

    # Then they are Django's rows, field for field, with the actor read in the same query
    expected = list(build(case.pk))
    assert len(queries) == 1
    assert [e.pk for e in got] == [e.pk for e in expected]
    for a, b in zip(got, expected, strict=True):
        assert {f.attname: getattr(a, f.attname) for f in CaseEvent._meta.concrete_fields} == {
            f.attname: getattr(b, f.attname) for f in CaseEvent._meta.concrete_fields
        }
        assert not a._state.adding and a._state.db == "default"
    assert "nurse" in actors
    assert actors == [e.actor.username if e.actor else None for e in expected]


def test_an_arg_that_is_not_a_parameter_is_refused(nurse):
    # A value compiled into the SQL would be kept for every later caller.
    with pytest.raises(ValueError, match="parameter"):
        instances_once(("test-not-param",), lambda n: User.objects.all() if n else User.objects.none(), (1,))
    with pytest.raises(ValueError, match="parameter"):  # a slice's bound is written into the SQL
        instances_once(("test-sliced",), lambda n: User.objects.order_by("pk")[:-n], (5,))
    with pytest.raises(TypeError):
        instances_once(("test-text",), lambda name: User.objects.filter(username=name), ("nurse",))


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
    compiled_forget()

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
    compiled_forget()
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
    compiled_forget()
    instances_once(("test-kept",), _users)
    for i in range(compiled.VALUES_MAX_ENTRIES + 3):
        values_once(("test-values-many", i), lambda: User.objects.values("pk"))
    assert len(compiled._values_compiled) == compiled.VALUES_MAX_ENTRIES
    assert len(compiled._compiled) == 1  # the reviewers' lists are not pushed out
    compiled_forget()
    assert not compiled._values_compiled
