from datetime import date

import pytest

from tests.factories import criteria_for_code

pytestmark = pytest.mark.django_db


def test_provider_lists_criteria_in_force_for_a_code_on_a_date(api, provider):
    version = criteria_for_code("27447", version="2026.1", effective_from=date(2026, 1, 1))
    criteria_for_code("27447", version="2025.1", effective_from=date(2025, 1, 1), effective_to=date(2025, 12, 31))

    response = api.as_user(provider).get("/api/v1/criteria/", {"code": "27447", "on": "2026-12-10"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": version.pk,
            "name": version.criteria_set.name,
            "source": "internal",
            "version": "2026.1",
            "effective_from": "2026-01-01",
            "effective_to": None,
            "indications": version.indications,
        }
    ]


def test_criteria_query_without_code_is_a_400_in_the_api_shape(api, nurse):
    response = api.as_user(nurse).get("/api/v1/criteria/", {"on": "2026-12-10"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "code" in response.json()["errors"]


def test_criteria_needs_login(api):
    assert api.get("/api/v1/criteria/", {"code": "27447"}).status_code in (401, 403)
