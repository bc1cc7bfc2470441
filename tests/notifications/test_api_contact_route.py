"""GET /api/v1/contact/route/ (API.md): no login, validated parameters, plan time zone."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/contact/route/"


def test_anonymous_gets_the_weekend_line_for_an_urgent_saturday_call(api):
    response = api.get(URL, {"inquiry": "urgent_authorization", "at": "2026-12-12T10:00:00-05:00"})
    assert response.status_code == 200
    assert response.json() == {
        "line": "UMOC Weekend and Holiday Line",
        "phone": "301-960-1436",
        "open_now": True,
        "opens_at": None,
        "hours": "Saturday and Sunday 8:30 to 17:00; holidays 8:30 to 17:00",
    }


def test_at_without_offset_is_read_in_the_plan_time_zone(api):
    # 08:29 in New York is closed, whatever the server's clock zone.
    closed = api.get(URL, {"inquiry": "authorization_request", "at": "2026-12-08T08:29:00"}).json()
    opened = api.get(URL, {"inquiry": "authorization_request", "at": "2026-12-08T08:30:00"}).json()
    assert (closed["open_now"], closed["opens_at"]) == (False, "2026-12-08T08:30:00-05:00")
    assert opened["open_now"] is True


def test_utc_instant_is_converted(api):
    # 13:30Z on 2026-12-08 is 08:30 in New York.
    assert api.get(URL, {"inquiry": "authorization_request", "at": "2026-12-08T13:30:00Z"}).json()["open_now"]
    assert not api.get(URL, {"inquiry": "authorization_request", "at": "2026-12-08T13:29:00Z"}).json()["open_now"]


def test_medicare_members_get_their_member_services_number(api):
    body = api.get(
        URL, {"inquiry": "member_services", "at": "2026-12-08T10:00", "line_of_business": "medicare_advantage"}
    ).json()
    assert body["phone"] == "888-777-5536"


def test_at_defaults_to_now(api):
    body = api.get(URL, {"inquiry": "member_services"}).json()
    assert body["line"] == "Member Services"
    assert isinstance(body["open_now"], bool)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "inquiry"),
        ({"inquiry": "pizza"}, "inquiry"),
        ({"inquiry": "criteria_copy", "at": "next tuesday"}, "at"),
        ({"inquiry": "criteria_copy", "line_of_business": "gold"}, "line_of_business"),
        ({"inquiry": "criteria_copy", "at": "9999-12-31T23:59:59-12:00"}, "at"),
        ({"inquiry": "criteria_copy", "at": "0001-01-01T00:00:00+14:00"}, "at"),
        ({"inquiry": "criteria_copy", "at": "9999-12-31T23:00:00"}, "at"),
    ],
)
def test_bad_parameters_answer_400_in_the_error_shape(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert body["detail"].startswith("Invalid input.")


def test_signed_in_session_is_not_needed_nor_checked(api, provider):
    api.force_login(provider)
    assert api.get(URL, {"inquiry": "criteria_copy", "at": "2026-12-08T10:00"}).status_code == 200
