"""A code that is a number takes ASCII digits only (issue 12, item 9): full-width "２２"
and other Unicode digits pass `str.isdigit()` and were stored as a place of service."""

import pytest

from automation.conditions import conditions_clean
from cases.models import AuthorizationRequest
from criteria.services.requirements import coverage_requirement_clean
from um_portal.exceptions import ValidationFailed
from um_portal.validators import is_ascii_digits

UNICODE_DIGITS = ["２２", "٢٢", "۲۲", "२२", "²²", "2２"]


@pytest.mark.parametrize("value", UNICODE_DIGITS)
def test_unicode_digits_are_not_ascii_digits(value):
    assert value.isdigit()  # what let them through
    assert not is_ascii_digits(value)
    assert not is_ascii_digits(value, length=2)


def test_ascii_digits_are_ascii_digits():
    assert is_ascii_digits("22", length=2)
    assert not is_ascii_digits("22", length=3)
    assert not is_ascii_digits("")
    assert not is_ascii_digits("2 2")


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("place", UNICODE_DIGITS)
def test_submit_with_a_full_width_place_of_service_is_400_and_stores_nothing(api, provider, payload, place):
    response = api.as_user(provider).post("/api/v1/authorizations/", payload(place_of_service=place), format="json")

    assert response.status_code == 400
    assert "place_of_service" in response.json()["errors"]
    assert AuthorizationRequest.objects.count() == 0


def test_auto_approval_rule_refuses_a_full_width_place_of_service():
    with pytest.raises(ValidationFailed) as caught:
        conditions_clean({"codes": ["27447"], "places_of_service": ["２２"]})

    assert "places_of_service" in caught.value.errors


@pytest.mark.django_db
def test_coverage_requirement_refuses_a_full_width_place_of_service():
    fields = {"policy": "Knee", "service": "Knee replacement", "codes": ["27447"], "places_of_service": ["２２"]}

    with pytest.raises(ValidationFailed) as caught:
        coverage_requirement_clean(fields=fields)

    assert "places_of_service" in caught.value.errors
