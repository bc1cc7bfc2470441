"""The first page of a work queue and of the API list is compiled once per process and key
(`um_portal.compiled.values_once`, issue #13). The key must name everything the page's SQL
reads: these tests call the same page as different users, at different times and after a
change of access, and expect each answer to be the one compiling afresh would give."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import AuthorizationRequest
from cases.services.providers import organization_access_group
from reviews.services.assignment import case_assign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiled_afresh")]


def _ids(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_my_cases_are_each_nurses_own(api, make_case, nurse, nurse2):
    # Given a case each nurse holds
    mine, theirs = make_case(), make_case()
    case_assign(case_id=mine.pk, actor=nurse)
    case_assign(case_id=theirs.pk, actor=nurse2)

    # When each asks for "my cases" in turn, the first compiling the page
    first = _ids(api.as_user(nurse), "/api/v1/queues/nurse/?assignee=me")
    second = _ids(api.as_user(nurse2), "/api/v1/queues/nurse/?assignee=me")
    again = _ids(api.as_user(nurse), "/api/v1/queues/nurse/?assignee=me")

    # Then each sees their own
    assert first == again == [str(mine.pk)]
    assert second == [str(theirs.pk)]


def test_a_filter_value_is_part_of_the_key(api, make_case, nurse):
    standard = make_case()
    expedited = make_case(urgency="expedited", expedited_reason="Severe pain")
    client = api.as_user(nurse)

    assert _ids(client, "/api/v1/queues/nurse/?urgency=expedited") == [str(expedited.pk)]
    assert _ids(client, "/api/v1/queues/nurse/?urgency=standard") == [str(standard.pk)]
    assert set(_ids(client, "/api/v1/queues/nurse/")) == {str(standard.pk), str(expedited.pk)}


def test_due_soon_moves_with_the_clock(api, make_case, nurse):
    # Given a case due in 30 hours
    now = timezone.now()
    case = make_case()
    AuthorizationRequest.objects.filter(pk=case.pk).update(decision_due_at=now + timedelta(hours=30))
    client = api.as_user(nurse)

    # When "due soon" is asked now, then 10 hours later
    with time_machine.travel(now, tick=False):
        before = _ids(client, "/api/v1/queues/nurse/?due=soon")
    with time_machine.travel(now + timedelta(hours=10), tick=False):
        later = _ids(client, "/api/v1/queues/nurse/?due=soon")

    # Then it is due within a day only the second time
    assert before == []
    assert later == [str(case.pk)]


def test_the_queue_page_compiled_once_still_shows_each_new_case(client, make_case, nurse):
    first = make_case()
    client.force_login(nurse)
    before = client.get("/reviews/queue/")  # compiles the page's query
    second = make_case()
    after = client.get("/reviews/queue/")  # reuses it: the rows are read again
    assert before.status_code == after.status_code == 200
    assert first.reference in before.content.decode() and second.reference not in before.content.decode()
    assert first.reference in after.content.decode() and second.reference in after.content.decode()


def test_each_office_lists_its_own_cases(api, make_case, provider, provider2, imaging, ortho, surgeon):
    # Given a case of each office (ortho requests both; imaging services the second)
    ortho_only = make_case()
    shared = make_case(servicing_organization=imaging)

    # When each office lists its cases, one after the other, each twice
    ortho_first = _ids(api.as_user(provider), "/api/v1/authorizations/")
    imaging_first = _ids(api.as_user(provider2), "/api/v1/authorizations/")
    ortho_again = _ids(api.as_user(provider), "/api/v1/authorizations/")
    imaging_again = _ids(api.as_user(provider2), "/api/v1/authorizations/")

    # Then each sees its own: imaging only the case it services
    assert ortho_first == ortho_again == [str(shared.pk), str(ortho_only.pk)]
    assert imaging_first == imaging_again == [str(shared.pk)]


def test_an_office_that_loses_its_access_group_sees_nothing_on_the_next_page(api, make_case, provider, ortho):
    # Given the office's list, compiled for its groups
    case = make_case()
    assert _ids(api.as_user(provider), "/api/v1/authorizations/") == [str(case.pk)]

    # When the user leaves the office's access group
    provider.groups.remove(organization_access_group(organization=ortho))
    provider._um_group_ids = None

    # Then the next page shows none of the office's cases
    assert _ids(api.as_user(provider), "/api/v1/authorizations/") == []
