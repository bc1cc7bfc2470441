"""The case action registry: every declared action is reachable through the generic doors
(page and/or API) and every door names a declared action; the physician-only refusal comes
from the one access helper whatever the door."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import reviews.actions  # noqa: F401 (registers)
import reviews.provider_actions  # noqa: F401 (registers)
import reviews.referral_actions  # noqa: F401 (registers)
from cases.actions import REGISTRY
from cases.api.action_views import CaseActionView
from reviews.access import MEDICAL_NECESSITY_REFUSED, physician_license_for
from um_portal.exceptions import NotAllowed
from um_portal.roles import Perm

from ..reviews.helpers import written


def _patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _doors():
    pages, apis = {}, {}
    for route, entry in _patterns(get_resolver().url_patterns):
        view_class = getattr(entry.callback, "view_class", None)
        if view_class is not None and issubclass(view_class, CaseActionView):
            apis[view_class.case_action.name] = route
        elif getattr(entry.callback, "case_actions", None) is not None:
            name = entry.default_args["name"]
            assert name in entry.callback.case_actions, route
            pages[name] = route
    return pages, apis


def test_every_declared_action_has_its_doors_and_every_door_a_declaration():
    pages, apis = _doors()

    assert set(pages) | set(apis) == set(REGISTRY)
    for name, action in REGISTRY.items():
        assert isinstance(action.perm, Perm), name
        assert (name in pages) == (action.form is not None or name == "criteria_copy"), name
        if action.api_input is not None:
            assert name in apis, name
        if action.check is not None:
            # The button's guard is the service's own, not a page's copy of it.
            assert ".services." in action.check.__module__, name
        if name in pages:
            assert action.success, name  # the page says what happened


def test_the_declared_actions_are_the_ones_users_know():
    assert set(REGISTRY) == {
        # reviewers
        "claim", "assign", "note", "pend", "approve", "route", "deny", "partial", "revise", "offer", "extend",
        # providers
        "document_upload", "respond", "withdraw", "criteria_copy", "peer_to_peer", "appeal",
        "authorization_change",
        # referral management (issue 20): the unit's nurse, the referring office
        "redirection_offer", "referral_approve_out_of_network", "redirection_accept", "redirection_decline",
    }  # fmt: skip


@pytest.mark.django_db
def test_physician_only_actions_refuse_a_nurse_the_same_way_at_every_door(client, api, make_case, nurse):
    case = make_case()
    before = written(case)
    client.force_login(nurse)

    page = client.post(reverse("reviews:partially_approve", args=[case.pk]), {"reason": "r"})
    answer = api.as_user(nurse).post(f"/api/v1/authorizations/{case.pk}/partially-approve/", {}, format="json")
    revise = client.post(reverse("reviews:revise", args=[case.pk]), {})

    assert page.status_code == revise.status_code == answer.status_code == 403
    assert MEDICAL_NECESSITY_REFUSED in page.content.decode() and MEDICAL_NECESSITY_REFUSED in revise.content.decode()
    assert answer.json()["code"] == "physician_required"
    assert written(case) == before


@pytest.mark.django_db
def test_the_license_must_be_active_in_the_members_state(make_case, nurse, physician, physician_ca):
    case = make_case()  # a Maryland member

    assert physician_license_for(physician, case).state == "MD"
    with pytest.raises(NotAllowed) as no_license:
        physician_license_for(physician_ca, case)
    with pytest.raises(NotAllowed) as not_physician:
        physician_license_for(nurse, case)

    assert no_license.value.code == "license_required" and "MD" in no_license.value.message
    assert not_physician.value.code == "physician_required"
