"""The same request through the page, the REST API and FHIR PAS gets the same outcome from
the auto-approval rules (evaluated in the one intake service)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest
from tests.automation.conftest import live_rule

from . import test_fhir_pas
from .test_pages_provider import _form

pytestmark = pytest.mark.django_db
pas_bundle = test_fhir_pas.pas_bundle  # the PAS request fixture


@pytest.mark.parametrize(("units", "status"), [(1, "approved"), (3, "received")])
def test_page_rest_and_pas_give_the_same_outcome(
    client,
    api,
    provider,
    member,
    surgeon,
    ortho,
    admin_user,
    payload,
    pas_bundle,
    units,
    status,
):
    live_rule(admin_user, codes=["27447"], max_units=2)
    client.force_login(provider)

    later = (timezone.localdate() + timedelta(days=25)).isoformat()
    page = client.post("/cases/new/", _form(member, surgeon, ortho, **{"lines-0-units": str(units)}))
    assert page.status_code == 302
    rest = api.as_user(provider).post(
        "/api/v1/authorizations/",
        # Dates differ per door so no request is a likely duplicate of another.
        payload(lines=[{**payload()["lines"][0], "units": units, "start_date": later, "end_date": later}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="rest-1",
    )
    assert rest.status_code == 201, rest.content
    bundle = pas_bundle()
    bundle["entry"][0]["resource"]["item"][0]["quantity"] = {"value": units}
    start = (timezone.localdate() + timedelta(days=30)).isoformat()
    bundle["entry"][0]["resource"]["item"][0]["servicedDate"] = start
    pas = api.as_user(provider).post("/fhir/Claim/$submit", bundle, format="json")
    assert pas.status_code == 201, pas.content

    statuses = list(AuthorizationRequest.objects.order_by("created_at").values_list("status", flat=True))
    assert statuses == [status, status, status]
    assert rest.json()["status"] == status
    expected = "complete" if status == "approved" else "queued"
    assert pas.json()["entry"][0]["resource"]["outcome"] == expected
