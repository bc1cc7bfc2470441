"""Issue 12, item 4: the physician's signing counter lives in the Redis cache. With the
test's own Redis stopped, signing fails closed: a clear 503 in the API error shape and a
clear message on the page, and nothing is written (a signature that cannot be counted is
not accepted, or a session left open could be used to guess the password)."""

import pytest

from reviews.services.pends import case_route_to_physician
from tests.redis_server import own_redis_fixture  # noqa: F401 - the own_redis fixture

from .helpers import PASSWORD, knee_criteria, written

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _denial(version) -> dict:
    return {
        "basis": "medical_necessity",
        "reason_code": "MN01",
        "reason": "Only 4 weeks of physical therapy are documented.",
        "criteria_ids": [version.pk],
        "password": PASSWORD,
    }


def test_signing_with_redis_down_is_a_503_in_the_error_shape_and_writes_nothing(
    own_redis, api, make_case, nurse, physician
):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="MD review")
    before = written(case)
    own_redis.stop()

    response = api.as_user(physician).post(f"/api/v1/authorizations/{case.pk}/deny/", _denial(version), format="json")

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "signing_unavailable"
    assert "not recorded" in body["detail"] and body["errors"] == {}
    assert written(case) == before


def test_signing_on_the_page_with_redis_down_says_so_and_writes_nothing(own_redis, client, make_case, nurse, physician):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="MD review")
    before = written(case)
    own_redis.stop()
    client.force_login(physician)

    page = client.post(f"/reviews/cases/{case.pk}/deny/", {**_denial(version), "criteria_ids": [version.pk]})

    assert page.status_code == 503
    assert "Signing is unavailable" in page.content.decode()
    assert written(case) == before


def test_signing_works_while_redis_is_up(own_redis, api, make_case, nurse, physician):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="MD review")
    response = api.as_user(physician).post(f"/api/v1/authorizations/{case.pk}/deny/", _denial(version), format="json")
    assert response.status_code == 200, response.content
