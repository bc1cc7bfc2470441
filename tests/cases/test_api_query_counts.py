"""Pinned query counts: the list endpoint costs the same with 5 or 50 cases."""

import pytest

from um_portal.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n_cases", [5, 50])
def test_authorization_list_query_count_is_constant(api, provider, make_case, django_assert_num_queries, n_cases):
    for _ in range(n_cases):
        make_case()
    api.as_user(provider)
    provider._um_role = "unset"
    # 1 the user's role groups (user_role)
    # 2 the page of cases, scoped by the organization's object permissions, with member,
    #   coverage, organizations, practitioners and assignee joined
    # 3 one insert of the access-log rows for the page
    with django_assert_num_queries(3):
        response = api.get("/api/v1/authorizations/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(n_cases, 25)
    assert AccessLog.objects.filter(user=provider, how="api").count() == min(n_cases, 25)
