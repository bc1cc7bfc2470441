import pytest

ROLE_TEXT = {
    "provider": "New request",
    "nurse": "Work queue",
    "physician": "Physician queue",
    "admin_user": "Administration",
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(ROLE_TEXT))
def test_home_shows_each_role_where_to_go(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert ROLE_TEXT[persona] in response.content.decode()


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_providers_see_the_api_docs_only_where_their_organization_uses_the_api(client, provider, nurse):
    """Issue 22, item 7: the API docs link is not for every office."""
    from rest_framework.authtoken.models import Token

    client.force_login(provider)
    without = client.get("/").content.decode()
    Token.objects.create(user=provider)
    with_token = client.get("/").content.decode()
    client.force_login(nurse)
    staff = client.get("/").content.decode()

    assert "/api/docs/" not in without
    assert 'id="api-docs-link"' in with_token
    assert "/api/docs/" in staff  # the staff menu keeps it
