"""The work queue for a UM supervisor (issue 22, item 5): tick cases, reassign them to one
reviewer, see each reviewer's open load. Nobody else sees or reaches it."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import AuthorizationRequest
from reviews.services.assignment import case_assign
from reviews.services.pends import case_route_to_physician
from um_portal.roles import user_set_supervisor

from .helpers import written

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(nurse):
    user_set_supervisor(user=nurse)
    return nurse


def _tick(case) -> str:
    return f"{case.pk}:{AuthorizationRequest.objects.get(pk=case.pk).version}"


def test_supervisor_sees_the_load_panel_and_a_tick_box_per_case(client, make_case, supervisor, nurse2):
    case = make_case()
    case_assign(case_id=case.pk, actor=nurse2)
    client.force_login(supervisor)

    page = client.get(reverse("reviews:nurse_queue")).content.decode()

    assert 'id="reviewer-load"' in page and 'id="bulk-reassign"' in page
    assert f'id="pick-{case.pk}"' in page
    # nurse2's row: one open case, none due today (a new case is due days ahead), none overdue
    assert re.search(r'<tr id="load-nurse2"><td>[^<]+</td><td>1</td><td>0</td><td>0</td></tr>', page)


@pytest.mark.parametrize("who", ["nurse2", "physician"])
def test_other_reviewers_see_neither_panel_nor_tick_boxes(request, client, make_case, who):
    make_case()
    client.force_login(request.getfixturevalue(who))

    for name in ("reviews:nurse_queue", "reviews:physician_queue"):
        page = client.get(reverse(name)).content.decode()
        assert 'id="reviewer-load"' not in page and 'name="case"' not in page


def test_supervisor_reassigns_ticked_cases_and_returns_to_the_filtered_queue(client, make_case, supervisor, nurse2):
    first, second, untouched = make_case(), make_case(), make_case()
    client.force_login(supervisor)

    response = client.post(
        reverse("reviews:bulk_reassign") + "?urgency=standard",
        {"kind": "nurse", "username": "nurse2", "case": [_tick(first), _tick(second)]},
    )
    followed = client.get(response["Location"])

    assert response.status_code == 302 and response["Location"] == reverse("reviews:nurse_queue") + "?urgency=standard"
    assert "2 cases now with" in followed.content.decode()
    assert set(AuthorizationRequest.objects.filter(assigned_to=nurse2).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert AuthorizationRequest.objects.get(pk=untouched.pk).assigned_to is None


@pytest.mark.parametrize("who", ["nurse2", "physician", "admin_user", "provider"])
def test_anyone_else_is_refused_and_nothing_is_written(request, client, make_case, nurse, who):
    case = make_case()
    before = written(case)
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("reviews:bulk_reassign"), {"username": "nurse", "case": [_tick(case)]})

    assert response.status_code == 403 and written(case) == before


def test_a_case_changed_since_the_page_loaded_answers_409_with_the_queue(
    client, make_case, supervisor, nurse2, physician
):
    first, second = make_case(), make_case()
    ticks = [_tick(first), _tick(second)]
    case_assign(case_id=second.pk, actor=physician)
    before = [written(first), written(second)]
    client.force_login(supervisor)

    response = client.post(reverse("reviews:bulk_reassign"), {"kind": "nurse", "username": "nurse2", "case": ticks})

    page = response.content.decode()
    assert response.status_code == 409
    assert f"{second.reference} changed since you loaded the queue" in page and 'id="queue"' in page
    assert [written(first), written(second)] == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nurse2"}, "Tick at least one case"),
        ({"username": "", "case": ["x"]}, "is not an active nurse or physician reviewer"),
        ({"username": "nurse2", "case": ["not-a-case:1"]}, "not a case reference the portal knows"),
        ({"username": "nurse2", "case": ["abc"]}, "not one the queue showed"),
    ],
    ids=["nothing ticked", "no reviewer", "not a case", "no version"],
)
def test_bad_input_answers_400_with_a_plain_message(client, supervisor, nurse2, data, message):
    client.force_login(supervisor)

    response = client.post(reverse("reviews:bulk_reassign"), {"kind": "nurse", **data})

    assert response.status_code == 400 and message in response.content.decode()


def test_cases_with_physicians_need_a_physician(client, make_case, supervisor, nurse2, physician2):
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=supervisor, note="Needs a physician.")
    client.force_login(supervisor)

    refused = client.post(
        reverse("reviews:bulk_reassign"), {"kind": "physician", "username": "nurse2", "case": [_tick(case)]}
    )
    done = client.post(
        reverse("reviews:bulk_reassign"), {"kind": "physician", "username": "physician2", "case": [_tick(case)]}
    )

    assert refused.status_code == 400 and "with physicians: reassign to a physician" in refused.content.decode()
    assert done["Location"] == reverse("reviews:physician_queue")
    assert AuthorizationRequest.objects.get(pk=case.pk).assigned_to == physician2


def test_the_admin_cannot_reassign_a_case():
    case_admin = admin.site._registry[AuthorizationRequest]
    assert "assigned_to" in case_admin.readonly_fields
