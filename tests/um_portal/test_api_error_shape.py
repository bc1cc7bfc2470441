"""Errors the framework raises before our code runs still answer API.md's shape."""

import pytest

from cases.models import AuthorizationRequest


@pytest.mark.django_db
def test_oversized_json_body_is_413_in_the_error_shape_and_creates_nothing(api, provider, settings):
    body = '{"clinical_summary": "' + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'

    response = api.as_user(provider).post("/api/v1/authorizations/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "larger than 5 MB" in response.json()["detail"]
    assert AuthorizationRequest.objects.count() == 0


@pytest.mark.django_db
def test_malformed_json_is_400_in_the_error_shape(api, provider):
    response = api.as_user(provider).post("/api/v1/authorizations/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["detail"]
