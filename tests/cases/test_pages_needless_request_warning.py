"""The request form warns before a needless submission: when the plan publishes its
prior-authorization list and no line of the request is on it for this member's plan."""

from datetime import date

import pytest

from cases.models import AuthorizationRequest
from criteria.services.requirements import coverage_requirement_save

from .test_pages_provider import _form

pytestmark = pytest.mark.django_db


def _publish(**overrides):
    fields = {"policy": "knee", "version": 1, "service": "Knee replacement", "codes": ["27447"]}
    fields.update(overrides)
    return coverage_requirement_save(effective_from=date(2020, 1, 1), **fields)


def test_a_request_for_a_code_not_on_the_list_is_warned_and_not_saved_until_confirmed(
    client, provider, member, surgeon, ortho
):
    _publish(codes=["72148"])  # the list exists, but 27447 is not on it
    client.force_login(provider)

    warned = client.post("/cases/new/", _form(member, surgeon, ortho))

    assert warned.status_code == 200
    assert "does not need prior authorization" in warned.content.decode()
    assert not AuthorizationRequest.objects.exists()

    confirmed = client.post("/cases/new/", _form(member, surgeon, ortho, confirm_not_required="on"))
    assert confirmed.status_code == 302
    assert AuthorizationRequest.objects.count() == 1


def test_a_required_code_is_submitted_without_a_warning(client, provider, member, surgeon, ortho):
    _publish()
    client.force_login(provider)
    assert client.post("/cases/new/", _form(member, surgeon, ortho)).status_code == 302


def test_required_only_for_another_line_of_business_is_warned(client, provider, member, surgeon, ortho):
    other = "medicaid" if member.coverages.get().line_of_business != "medicaid" else "commercial"
    _publish(lines_of_business=[other])
    client.force_login(provider)
    response = client.post("/cases/new/", _form(member, surgeon, ortho))
    assert response.status_code == 200 and 'id="not-required-warning"' in response.content.decode()


def test_no_published_list_means_no_warning(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    assert client.post("/cases/new/", _form(member, surgeon, ortho)).status_code == 302
