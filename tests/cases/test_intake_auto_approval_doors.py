"""The same request through the page, the REST API and FHIR PAS gets the same outcome from
the auto-approval rules (evaluated in the one intake service)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest
from tests.automation.conftest import live_rule
from tests.pas.conftest import example, identifiers_mapped

from .test_pages_provider import _form

pytestmark = pytest.mark.django_db


@pytest.fixture
def pas_bundle(member, surgeon, ortho):
    """HL7's medical-services PAS example for `member`, requested by `ortho` for 27447."""

    def _bundle():
        bundle = identifiers_mapped(
            example("Bundle-MedicalServicesAuthorizationBundleExample.json"),
            member_number=member.member_number,
            office_npi=ortho.npi,
            practitioner_npi=surgeon.npi,
        )
        item = bundle["entry"][0]["resource"]["item"][0]
        item["productOrService"] = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "27447"}]}
        bundle["entry"][0]["resource"]["diagnosis"] = [
            {
                "sequence": 1,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]
                },
            }
        ]
        return bundle

    return _bundle


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
    item = pas.json()["entry"][0]["resource"]["item"][0]
    (action,) = [e for e in item["adjudication"][0]["extension"] if e["url"].endswith("/extension-reviewAction")]
    codes = [p["valueCodeableConcept"]["coding"][0]["code"] for p in action["extension"] if p["url"] != "number"]
    assert codes == ["A1" if status == "approved" else "A4"]
