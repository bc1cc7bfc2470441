"""Issue 12, item 1: a staff username is half of a sign-in, so providers never see one.
The provider API shows `assigned_to` as nothing, the reviewer's and the timeline actors'
names without a username fallback, and refuses to filter by a reviewer's username (which
would tell a provider which usernames exist)."""

import pytest

from reviews.services.assignment import case_assign
from reviews.services.decisions import case_approve
from reviews.services.provider_requests import appeal_file

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

LOGIN = "nina.r.login"


@pytest.fixture
def nameless_nurse(nurse):
    # A staff account with no name on file: every label used to fall back to the username.
    nurse.first_name = nurse.last_name = ""
    nurse.username = LOGIN
    nurse.save(update_fields=["first_name", "last_name", "username"])
    return nurse


def test_provider_api_never_shows_the_assigned_reviewers_username(api, provider, nameless_nurse, make_case):
    case = make_case()
    case_assign(case_id=case.pk, actor=nameless_nurse)
    case_approve(case_id=case.pk, actor=nameless_nurse)

    api.as_user(provider)
    listing = api.get("/api/v1/authorizations/")
    detail = api.get(f"/api/v1/authorizations/{case.pk}/")

    assert listing.status_code == detail.status_code == 200
    assert listing.json()["results"][0]["assigned_to"] is None
    body = detail.json()
    assert body["assigned_to"] is None
    assert body["decision"]["decided_by"]["name"] == "UM Operations Center"
    assert LOGIN not in listing.content.decode()
    assert LOGIN not in detail.content.decode()


def test_provider_case_page_never_shows_the_reviewers_username(client, provider, nameless_nurse, make_case):
    case = make_case()
    case_assign(case_id=case.pk, actor=nameless_nurse)
    case_approve(case_id=case.pk, actor=nameless_nurse)
    client.force_login(provider)

    for url in (f"/cases/{case.pk}/", f"/reviews/cases/{case.pk}/decision/"):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "UM Operations Center" in text, url
        assert LOGIN not in text, url


def test_providers_cannot_filter_by_a_reviewers_username(api, provider, nurse, make_case):
    case = make_case()
    case_assign(case_id=case.pk, actor=nurse)
    api.as_user(provider)

    known = api.get("/api/v1/authorizations/", {"assigned_to": "nurse"})
    unknown = api.get("/api/v1/authorizations/", {"assigned_to": "nobody-at-all"})

    assert known.status_code == unknown.status_code == 400
    assert known.json() == unknown.json()
    assert known.json()["errors"]["assigned_to"]


def test_staff_still_see_and_filter_by_username(api, nurse, make_case):
    case = make_case()
    case_assign(case_id=case.pk, actor=nurse)
    api.as_user(nurse)
    results = api.get("/api/v1/authorizations/", {"assigned_to": "nurse"}).json()["results"]
    assert [r["assigned_to"] for r in results] == ["nurse"]


def test_provider_appeal_detail_never_shows_the_deciders_username(api, provider, nameless_nurse, make_case, decided):
    case = make_case()
    decided(case)
    appeal = appeal_file(case=case, user=provider, reason="New imaging.")

    response = api.as_user(provider).get(f"/api/v1/appeals/{appeal.pk}/")

    assert response.status_code == 200
    assert response.json()["decision_appealed"]["decided_by"]["name"] == "UM Operations Center"
    assert LOGIN not in response.content.decode()
