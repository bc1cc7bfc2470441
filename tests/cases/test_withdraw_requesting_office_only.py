"""Issue 12 ("also decide"): the servicing organization sees the request but may not
withdraw it; only the requesting office may. Enforced in the withdraw service, so the API,
the page and the shell refuse alike (403 / a message, nothing written), and the button is not offered."""

import pytest

from cases.models import CaseEvent, CaseStatus
from reviews.services.provider_requests import case_withdraw
from um_portal.exceptions import NotAllowed

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def referred(make_case, imaging):
    """Requested by ortho (`provider`), to be performed by imaging (`provider2`)."""
    return make_case(servicing_organization=imaging)


def _unchanged(case) -> bool:
    case.refresh_from_db()
    return case.status != CaseStatus.WITHDRAWN and not case.events.filter(kind=CaseEvent.Kind.WITHDRAWN).exists()


def test_the_servicing_office_cannot_withdraw_through_the_api(api, provider2, referred):
    assert api.as_user(provider2).get(f"/api/v1/authorizations/{referred.pk}/").status_code == 200

    response = api.post(f"/api/v1/authorizations/{referred.pk}/withdraw/", {"reason": "Not ours."}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_requester"
    assert "requesting office" in response.json()["detail"]
    assert _unchanged(referred)


def test_the_servicing_office_gets_no_button_and_the_page_refuses(client, provider2, referred):
    client.force_login(provider2)
    page = client.get(f"/cases/{referred.pk}/")
    assert page.status_code == 200 and 'id="withdraw-form"' not in page.content.decode()

    # The provider page door answers a refusal as a message on the case page.
    refused = client.post(f"/cases/{referred.pk}/withdraw/", {"reason": "Not ours."}, follow=True)

    assert "Only the requesting office can withdraw" in refused.content.decode()
    assert _unchanged(referred)


def test_the_service_refuses_the_servicing_office_from_any_door(provider2, referred):
    with pytest.raises(NotAllowed):
        case_withdraw(case=referred, user=provider2, reason="From the shell.")
    assert _unchanged(referred)


def test_the_requesting_office_withdraws(api, provider, referred):
    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{referred.pk}/withdraw/", {"reason": "Patient moved."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
