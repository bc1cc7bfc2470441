"""`GET /fhir/metadata` says what the server really does (a test walks it and calls each
operation), and documents in a PAS request land as case documents through the upload checks."""

import base64

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from rest_framework.test import APIClient

from cases.models import Attachment, AuthorizationRequest, CaseEvent

from .conftest import SUBMIT

pytestmark = pytest.mark.django_db
REFERRAL = "Bundle-ReferralAuthorizationBundleExample.json"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_metadata_is_a_capability_statement_whose_every_operation_answers(office_user):
    response = APIClient().get("/fhir/metadata", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = response.json()
    CapabilityStatement.model_validate(statement)
    assert statement["fhirVersion"] == "4.0.1" and "application/fhir+json" in statement["format"]
    client = APIClient()
    client.force_authenticate(office_user)
    walked = []
    for rest in statement["rest"]:
        for resource in rest["resource"]:
            for operation in resource.get("operation") or []:
                if resource["type"] == "Subscription":  # an instance-level GET operation
                    answer = client.get(f"/fhir/Subscription/999999/${operation['name']}")
                    assert (
                        answer.status_code == 404 and "No such subscription" in answer.json()["issue"][0]["diagnostics"]
                    )
                    walked.append(f"${operation['name']} Subscription")
                    continue
                url = f"/fhir/{resource['type']}/${operation['name']}"
                answer = client.post(url, {"resourceType": "Bundle", "type": "collection"}, format="json")
                # Reached: the operation exists and reads the body (an empty Bundle is refused as such).
                assert answer.status_code == 400, (url, answer.status_code)
                assert answer.json()["resourceType"] == "OperationOutcome"
                walked.append(url)
            for interaction in resource.get("interaction") or []:
                walked.append(_interaction(client, resource["type"], interaction["code"]))
    assert walked == [
        "/fhir/Claim/$submit",
        "/fhir/Claim/$inquire",
        "$status Subscription",
        "create Subscription",
        "read Subscription",
        "delete Subscription",
        "search-type Subscription",
    ]


def _interaction(client, resource_type: str, code: str) -> str:
    """Call the interaction; it must be answered by its own view (not the catch-all)."""
    url = f"/fhir/{resource_type}"
    if code == "create":
        answer = client.post(url, {"resourceType": resource_type}, format="json")
        assert answer.status_code == 400 and answer.json()["resourceType"] == "OperationOutcome"
    elif code in ("read", "delete"):
        answer = getattr(client, "get" if code == "read" else "delete")(f"{url}/999999")
        assert answer.status_code == 404 and "not supported" not in answer.json()["issue"][0]["diagnostics"]
    elif code == "search-type":
        answer = client.get(url)
        assert answer.status_code == 200 and answer.json()["type"] == "searchset"
    else:
        raise AssertionError(f"walk {code} too")
    return f"{code} {resource_type}"


def _with_document(bundle: dict, content: bytes, content_type: str) -> dict:
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "DocumentReference":
            entry["resource"]["content"][0]["attachment"] = {
                "contentType": content_type,
                "data": base64.b64encode(content).decode(),
                "title": "procedure-note.pdf",
            }
    return bundle


def test_a_pdf_document_reference_lands_as_a_case_document(api, office_user, mapped):
    bundle = _with_document(mapped(REFERRAL), PDF, "application/pdf")

    response = api.as_user(office_user).post(SUBMIT, bundle, format="json")

    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.case == AuthorizationRequest.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.original_name == "procedure-note.pdf"
    assert attachment.description.startswith("A procedure note")
    assert CaseEvent.objects.filter(kind="attachment_added").count() == 1


def test_a_binary_referenced_from_the_document_lands_too(api, office_user, mapped):
    bundle = mapped(REFERRAL)
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "DocumentReference":
            entry["resource"]["content"][0]["attachment"] = {"contentType": "application/pdf", "url": "Binary/note"}
    bundle["entry"].append(
        {
            "fullUrl": "http://example.org/fhir/Binary/note",
            "resource": {
                "resourceType": "Binary",
                "id": "note",
                "contentType": "application/pdf",
                "data": base64.b64encode(PDF).decode(),
            },
        }
    )

    response = api.as_user(office_user).post(SUBMIT, bundle, format="json")

    assert response.status_code == 201, response.content
    assert Attachment.objects.get().sha256
    # The answer does not echo the document's bytes.
    assert "data" not in str(AuthorizationRequest.objects.get().pas_submissions.get().request_bundle)


def test_the_examples_text_document_is_refused_by_the_upload_checks_and_noted(api, office_user, mapped):
    # HL7's referral example attaches text/plain: the upload checks take PDF and images only.
    response = api.as_user(office_user).post(SUBMIT, mapped(REFERRAL), format="json")

    assert response.status_code == 201, response.content
    assert Attachment.objects.count() == 0
    notes = CaseEvent.objects.filter(kind="note_added").values_list("message", flat=True)
    assert any("was not stored: Only PDF, PNG, JPEG and TIFF" in note for note in notes)


def test_a_document_that_is_not_base64_is_refused_and_nothing_written(api, office_user, mapped):
    bundle = mapped(REFERRAL)
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "DocumentReference":
            entry["resource"]["content"][0]["attachment"]["data"] = "not base64 at all!"

    response = api.as_user(office_user).post(SUBMIT, bundle, format="json")

    assert response.status_code == 400
    assert AuthorizationRequest.objects.count() == 0
