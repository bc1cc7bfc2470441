"""The case's letters page and the case API list only what the user may read, at a fixed
number of queries."""

import pytest
from django.urls import reverse

from notifications.services.letters import letters_plan_for_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("extra_orgs", [False, True])
def test_letters_page_query_count_is_constant(
    client, nurse, make_case, decide, imaging, extra_orgs, django_assert_num_queries
):
    case = make_case(servicing_organization=imaging) if extra_orgs else make_case()
    _, event = decide(case, "approved", basis="")
    letters_plan_for_event(event=event)
    client.force_login(nurse)
    # 1 session, 2 the user with their groups (role), 3 case+member, 4 access-log insert,
    # 5 letters (+template), 6 unread notifications (nav), 7-9 session save (savepoint,
    # update, release)
    with django_assert_num_queries(9):
        response = client.get(reverse("notifications:case_letters", args=[case.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="letter ') == (3 if extra_orgs else 2)


def test_case_api_lists_only_the_provider_offices_own_letters(api, provider, provider2, make_case, decide, imaging):
    from notifications.services.letters import letters_generate_for_event

    case = make_case(servicing_organization=imaging)
    _, event = decide(case, "approved", basis="")
    letters_generate_for_event(event_id=event.pk)

    mine = api.as_user(provider).get(f"/api/v1/authorizations/{case.pk}/").json()["letters"]
    theirs = api.as_user(provider2).get(f"/api/v1/authorizations/{case.pk}/").json()["letters"]

    assert [x["recipient"] for x in mine] == ["requesting_provider"]
    assert [x["recipient"] for x in theirs] == ["servicing_provider"]
    assert mine[0]["url"] == f"/api/v1/letters/{mine[0]['id']}/pdf"
