"""Pinned query counts: the list endpoint costs the same with 5 or 50 cases."""

import pytest
from django.db import connection

from cases.access import VIEW_CODENAME, case_permission_id
from cases.models import AuthorizationRequest
from um_portal.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n_cases", [5, 50])
def test_authorization_list_query_count_is_constant(api, provider, make_case, django_assert_num_queries, n_cases):
    for _ in range(n_cases):
        make_case()
    case_permission_id(VIEW_CODENAME)  # read once per process, at the first list or submit
    api.as_user(provider)
    provider._um_role = "unset"
    # 1 the user's role groups (user_role), ids kept for the object-permission check
    # 2 the page of cases: a UNION of the organization's requested and serviced cases,
    #   newest first, each row checked against the organization's object permission;
    #   no joins (cases.selectors.case_list_page)
    # 3 the members, organizations and practitioners of the page, by id, in one statement
    #   (cases.selectors.related_values_attach)
    # 4 one insert of the access-log rows for the page
    # (SQLite, `make run`, reads the two organizations' cases in two queries and each
    # related table in one: three more)
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 7):
        response = api.get("/api/v1/authorizations/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(n_cases, 25)
    assert AccessLog.objects.filter(user=provider, how="api").count() == min(n_cases, 25)


def test_staff_list_query_count_with_an_assignee(api, nurse, make_case, django_assert_num_queries):
    for _ in range(3):
        make_case()
    AuthorizationRequest.objects.update(assigned_to=nurse)
    api.as_user(nurse)
    nurse._um_role = "unset"
    # 1 role; 2 the page (received_at index, backwards); 3 members, organizations,
    # practitioners and the assignees, in one statement; 4 the access-log insert
    with django_assert_num_queries(4):
        response = api.get("/api/v1/authorizations/")
    assert [row["assigned_to"] for row in response.json()["results"]] == [nurse.username] * 3


def test_provider_detail_query_count(api, provider, make_case, decided, django_assert_num_queries):
    case = make_case()
    decided(case)
    case_permission_id(VIEW_CODENAME)
    api.as_user(provider)
    provider._um_role = "unset"
    # 1 role groups; 2 the case by id, its grant checked on it, with the probes of which
    # related tables hold its rows (reviews.selectors.case_detail, for_api), its member,
    # coverage, organizations and practitioners joined and its diagnoses, lines and events
    # with their actors as JSON (the statement is prepared); only the other relations it has
    # rows in, by case id: 3 the current decision (who decided, license, coded reason), 4
    # its criteria (no documents, pends, appeals, letters, extension or authorization here);
    # no assignee for a provider, no peer-to-peer talks; 5 the access-log insert; 6 the
    # decider's role (shown with the decision)
    with django_assert_num_queries(6):
        response = api.get(f"/api/v1/authorizations/{case.pk}/")
    assert response.status_code == 200 and response.json()["decision"]["outcome"] == "denied"
