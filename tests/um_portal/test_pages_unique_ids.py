"""Every id on every page is unique (issue 22, item 1).

The test settings check every HTML page the suite renders (tests/html_ids.py); this test
makes sure the main pages of each role are among them, with a case in each state that adds
forms (open, routed, pended, denied with an appeal, two peer-to-peer talks)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Appeal, Decision, PeerToPeerRequest
from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician
from tests.cases.conftest import pended  # noqa: F401 - fixture
from tests.html_ids import duplicate_ids
from tests.reviews.helpers import PASSWORD, knee_criteria

pytestmark = pytest.mark.django_db


def test_duplicate_ids_finds_an_id_used_twice():
    page = '<form><input id="id_reason"></form><form><input id="id_reason"><label id="x"></label></form>'

    assert duplicate_ids(page) == ["id_reason"]
    assert duplicate_ids('<input id="a"><input id="b">') == []


@pytest.fixture
def cases(make_case, nurse, physician, provider, pended):  # noqa: F811 - the imported fixture
    version = knee_criteria()
    open_case = make_case()
    routed = make_case()
    case_route_to_physician(case_id=routed.pk, actor=nurse, note="Only 4 weeks of PT.")
    pended_case = make_case()
    pended(pended_case)
    denied = make_case()
    case_route_to_physician(case_id=denied.pk, actor=nurse, note="n")
    case_deny(
        reason_code="MN01",
        case_id=denied.pk, actor=physician, basis="medical_necessity", reason="r", criteria_ids=[version.pk],
        password=PASSWORD,
    )  # fmt: skip
    appeal = Appeal.objects.create(
        case=denied, decision_appealed=Decision.objects.get(case=denied), reason="More PT", filed_by=provider,
        filed_at=timezone.now(), due_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    for case in (open_case, routed):
        PeerToPeerRequest.objects.create(
            case=case, requested_by=provider, requested_at=timezone.now(), preferred_times=["Tue 8-10"],
            phone="410-555-0101",
        )  # fmt: skip
    return {"open": open_case, "routed": routed, "pended": pended_case, "denied": denied, "appeal": appeal}


def _pages(role, cases):
    every_case = [cases[k] for k in ("open", "routed", "pended", "denied")]
    if role == "provider":
        return [
            reverse("home"),
            reverse("cases:dashboard"),
            reverse("cases:new"),
            reverse("cases:eligibility"),
            reverse("notifications:list"),
            *[reverse("cases:detail", args=[c.pk]) for c in every_case],
            reverse("reviews:decision", args=[cases["denied"].pk]),
        ]
    pages = [
        reverse("home"),
        reverse("notifications:list"),
        *[reverse("reviews:case", args=[c.pk]) for c in every_case],
        reverse("reviews:decision", args=[cases["denied"].pk]),
    ]
    if role == "nurse":
        pages += [reverse("reviews:nurse_queue"), reverse("cases:new")]
    if role == "physician":
        pages += [
            reverse("reviews:physician_queue"),
            reverse("reviews:appeals"),
            reverse("reviews:appeal", args=[cases["appeal"].pk]),
            reverse("reviews:peer_to_peer"),
        ]
    return pages


@pytest.mark.parametrize("role", ["provider", "nurse", "physician2"])
def test_main_pages_of_each_role_have_unique_ids(client, cases, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    role = "physician" if role.startswith("physician") else role

    found = {}
    for url in _pages(role, cases):
        response = client.get(url)
        assert response.status_code == 200, url
        duplicates = duplicate_ids(response.content.decode())
        if duplicates:
            found[url] = duplicates

    assert found == {}
