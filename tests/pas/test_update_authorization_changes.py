"""Issue 19, item 3 at the PAS door: an update of an approved request changes the
authorization it holds through the same service as the page and the API. HL7's published
update example (../shared/fixtures/pas/Bundle-HomecareAuthorizationUpdateBundleExample.json)
cancels item 2 and adds item 3; on an approved request the added service is refused (a new
service is a new request), and the example's cancellation alone is recorded at once."""

import pytest

from cases.models import AuthorizationRequest, CaseEvent
from pas.constraints import response_bundle_problems
from pas.models import PasSubmission
from reviews.models import Authorization, AuthorizationVersion
from reviews.services.decisions import case_approve, case_deny

from .conftest import SUBMIT

pytestmark = pytest.mark.django_db
HOMECARE = "Bundle-HomecareAuthorizationBundleExample.json"
UPDATE = "Bundle-HomecareAuthorizationUpdateBundleExample.json"
INFO_CHANGED = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-infoChanged"


@pytest.fixture
def approved(api, office_user, mapped, nurse):
    response = api.as_user(office_user).post(SUBMIT, mapped(HOMECARE), format="json")
    assert response.status_code == 201, response.content
    case = AuthorizationRequest.objects.get()
    case_approve(case_id=case.pk, actor=nurse)
    return case


def _items(bundle: dict) -> list:
    return bundle["entry"][0]["resource"]["item"]


def written() -> tuple:
    return (AuthorizationRequest.objects.count(), CaseEvent.objects.count(), AuthorizationVersion.objects.count(),
            PasSubmission.objects.count())  # fmt: skip


def test_the_example_adding_a_service_to_an_approved_request_is_refused_and_nothing_written(
    api, office_user, mapped, approved
):
    before = written()

    response = api.as_user(office_user).post(SUBMIT, mapped(UPDATE), format="json")

    assert response.status_code == 409
    issue = response.json()["issue"][0]
    assert issue["code"] == "conflict" and "Item 3 adds a service" in issue["diagnostics"]
    assert written() == before


def test_the_examples_cancellation_cancels_the_authorization_line_at_once(api, office_user, mapped, approved):
    update = mapped(UPDATE)
    update["entry"][0]["resource"]["item"] = [i for i in _items(update) if i["sequence"] != 3]

    response = api.as_user(office_user).post(SUBMIT, update, format="json")

    assert response.status_code == 201, response.content
    assert AuthorizationRequest.objects.count() == 1  # no review: no change request
    authorization = Authorization.objects.get(case=approved)
    assert [(line.line_number, line.cancelled_at is not None) for line in authorization.lines.all()] == [
        (1, False),
        (2, True),
    ]
    assert authorization.versions.last().kind == "cancel_lines"
    assert response_bundle_problems(response.json()) == []


def test_more_units_on_an_item_is_a_change_request_answered_in_pas(api, office_user, mapped, approved):
    update = mapped(UPDATE)
    first = _items(update)[0]
    first["extension"].append({"url": INFO_CHANGED, "valueCode": "changed"})
    first["quantity"] = {"value": 5}
    update["entry"][0]["resource"]["item"] = [first]

    response = api.as_user(office_user).post(SUBMIT, update, format="json")

    assert response.status_code == 201, response.content
    change = AuthorizationRequest.objects.get(change_of=approved)
    assert change.change_kind == "add_units" and change.channel == "fhir"
    assert change.change_details["lines"] == [{"line": 1, "units": 4, "change_line": 1}]
    submission = PasSubmission.objects.latest("pk")
    assert submission.case == change and submission.item_sequences == {"1": 1}
    assert response_bundle_problems(response.json()) == []


def test_an_update_of_a_denied_request_is_refused_with_the_services_message(api, office_user, mapped, nurse):
    api.as_user(office_user).post(SUBMIT, mapped(HOMECARE), format="json")
    case = AuthorizationRequest.objects.get()
    case_deny(reason_code="BN01", case_id=case.pk, actor=nurse, basis="benefit", reason="Excluded.")
    update = mapped(UPDATE)
    update["entry"][0]["resource"]["item"] = [i for i in _items(update) if i["sequence"] != 3]
    before = written()

    response = api.as_user(office_user).post(SUBMIT, update, format="json")

    assert response.status_code == 409
    assert "denied: it holds no authorization to change" in response.json()["issue"][0]["diagnostics"]
    assert written() == before
