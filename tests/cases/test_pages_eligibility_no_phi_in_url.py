"""The eligibility check keeps the member number and birth date out of URLs: the form
posts, and "Start a request for this member" prefills from the session."""

import pytest

pytestmark = pytest.mark.django_db


def test_eligibility_form_posts_and_the_follow_on_link_carries_no_phi(client, provider, member):
    client.force_login(provider)
    form_page = client.get("/cases/eligibility/").content.decode()
    assert '<form method="post"' in form_page and 'id="eligibility-form"' in form_page

    result = client.post("/cases/eligibility/", {"member_number": "M100001", "date_of_birth": "1961-04-02"})
    body = result.content.decode()
    assert 'href="/cases/new/?from=eligibility"' in body
    assert "member_number=" not in body and "date_of_birth=" not in body

    prefilled = client.get("/cases/new/?from=eligibility")
    assert prefilled.context["form"].initial["member_number"] == "M100001"
    assert str(prefilled.context["form"].initial["member_date_of_birth"]) == "1961-04-02"


def test_the_prefill_is_used_once_and_only_when_asked_for(client, provider, member):
    client.force_login(provider)
    client.post("/cases/eligibility/", {"member_number": "M100001", "date_of_birth": "1961-04-02"})
    assert "member_number" not in client.get("/cases/new/").context["form"].initial
    assert client.get("/cases/new/?from=eligibility").context["form"].initial["member_number"] == "M100001"
    assert "member_number" not in client.get("/cases/new/?from=eligibility").context["form"].initial


def test_a_get_with_phi_in_the_query_string_does_not_search(client, provider, member):
    client.force_login(provider)
    page = client.get("/cases/eligibility/", {"member_number": "M100001", "date_of_birth": "1961-04-02"})
    assert 'id="eligibility-result"' not in page.content.decode()
