import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("provider", "New request"),
        ("nurse", "Work queue"),
        ("physician", "Physician queue"),
        ("admin_user", "Administration"),
    ],
)
def test_each_role_logs_in_and_sees_its_home(request, page, login, screenshot, persona, expected):
    user = request.getfixturevalue(persona)
    login(user.username)
    assert page.locator("#role-links").inner_text().count(expected) == 1
    screenshot(f"home-{persona}")
