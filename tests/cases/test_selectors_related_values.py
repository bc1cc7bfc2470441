"""A list page's related rows (member, organizations, practitioners, assignee, coverage) are
read by id in one statement on PostgreSQL (cases.selectors.related_values_attach, issue
#13): each must be what the ORM reads of it, type for type."""

import pytest

from cases.models import AuthorizationRequest
from cases.selectors import API_RELATED_COLUMNS, LIST_COLUMNS, related_values_attach, values_by_id
from reviews.selectors import QUEUE_PAGE_RELATED
from reviews.services.assignment import case_assign

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# What the API rows and the work queue page read of each related table, every kind of
# column among them (a date of birth, names, an NPI, a state).
RELATED = {
    **API_RELATED_COLUMNS,
    "assigned_to": QUEUE_PAGE_RELATED["assigned_to"],
    "coverage": QUEUE_PAGE_RELATED["coverage"],
}


def _rows(cases) -> list[dict]:
    ids = [case.pk for case in cases]
    rows = {
        row["id"]: row for row in AuthorizationRequest.objects.filter(pk__in=ids).values(*LIST_COLUMNS, "coverage_id")
    }
    return [rows[pk] for pk in ids]


def test_every_related_table_in_one_statement_each_row_as_the_orm_reads_it(
    make_case, imaging, surgeon, nurse, django_assert_num_queries
):
    plain = make_case(requesting_practitioner=None)
    other = make_case(servicing_organization=imaging, servicing_practitioner=surgeon)
    case_assign(case_id=other.pk, actor=nurse)
    rows = _rows([plain, other])

    with django_assert_num_queries(1):
        related_values_attach(rows, RELATED)

    for row in rows:
        for name, columns in RELATED.items():
            model = AuthorizationRequest._meta.get_field(name).related_model
            expected = values_by_id(model, {row[f"{name}_id"]}, *sorted(columns)).get(row[f"{name}_id"])
            assert row[name] == expected, name
            if expected is not None:
                assert [type(v) for v in row[name].values()] == [type(v) for v in expected.values()], name
    assert rows[0]["requesting_practitioner"] is None and rows[0]["assigned_to"] is None
    assert rows[1]["assigned_to"]["username"] == nurse.username
    assert rows[1]["servicing_organization"]["name"] == imaging.name


def test_no_statement_when_no_row_names_a_related_row(django_assert_num_queries):
    rows = [{"id": 1, "assigned_to_id": None}]
    with django_assert_num_queries(0):
        related_values_attach(rows, {"assigned_to": ("username",)})
    assert rows[0]["assigned_to"] is None


def test_cases_get_their_related_rows_as_the_orm_reads_them_in_one_statement(
    make_case, imaging, surgeon, nurse, django_assert_num_queries
):
    from cases.selectors import DETAIL_RELATED, case_related_attach

    case = make_case(servicing_organization=imaging, servicing_practitioner=surgeon)
    case_assign(case_id=case.pk, actor=nurse)
    read = AuthorizationRequest.objects.get(pk=case.pk)

    with django_assert_num_queries(1):
        case_related_attach([read], DETAIL_RELATED)
        for name in DETAIL_RELATED:  # whole rows: nothing deferred, nothing read again
            related = getattr(read, name)
            assert not related.get_deferred_fields(), name
            assert not related._state.adding and related._state.db == "default", name

    for name in DETAIL_RELATED:
        related, fresh = (
            getattr(read, name),
            type(getattr(read, name))._default_manager.get(pk=getattr(read, f"{name}_id")),
        )
        assert [getattr(related, f.attname) for f in fresh._meta.concrete_fields] == [
            getattr(fresh, f.attname) for f in fresh._meta.concrete_fields
        ], name
    assert read.assigned_to.username == nurse.username and read.member.date_of_birth == case.member.date_of_birth

    brief = AuthorizationRequest.objects.get(pk=case.pk)
    with django_assert_num_queries(1):
        case_related_attach([brief], ("member", "servicing_organization"), columns=API_RELATED_COLUMNS)
    assert brief.member.get_deferred_fields() == {
        f.attname for f in brief.member._meta.concrete_fields if not f.primary_key
    } - set(API_RELATED_COLUMNS["member"])
    assert brief.servicing_organization.name == imaging.name
