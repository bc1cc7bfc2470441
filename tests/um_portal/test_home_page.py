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
