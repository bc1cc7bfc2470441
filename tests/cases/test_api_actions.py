"""Provider actions on a case through HTTP: documents, answering a pend, withdrawing,
criteria, peer-to-peer, appeals."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Attachment, CaseEvent
from reviews.models import Appeal, CriteriaCopyRequest, PeerToPeerRequest
from um_portal.models import AccessLog

from .conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


def _upload(api, case, upload, **extra):
    return api.post(f"/api/v1/authorizations/{case.pk}/attachments/", {"file": upload, **extra}, format="multipart")


# --- documents -----------------------------------------------------------------------


def test_upload_pdf_then_download_it_and_the_download_is_logged(api, provider, make_case):
    case = make_case()
    response = _upload(api.as_user(provider), case, pdf_upload("../../etc/Knee MRI <report>.pdf"), description="MRI")
    assert response.status_code == 201, response.json()
    doc = response.json()
    assert doc["name"] == "Knee MRI _report.pdf"
    assert doc["content_type"] == "application/pdf"
    assert doc["size"] == len(PDF_BYTES)
    assert len(doc["sha256"]) == 64
    assert case.events.filter(kind=CaseEvent.Kind.ATTACHMENT_ADDED).count() == 1
    stored = Attachment.objects.get(pk=doc["id"])
    assert "Knee" not in stored.file.name  # stored under an opaque name

    download = api.get(doc["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert AccessLog.objects.filter(object_kind="attachment", object_id=doc["id"], how="download").count() == 1


def test_png_renamed_to_pdf_keeps_its_real_type(api, provider, make_case):
    case = make_case()
    doc = _upload(api.as_user(provider), case, SimpleUploadedFile("scan.pdf", PNG_BYTES, "application/pdf")).json()
    assert doc["content_type"] == "image/png"
    assert doc["name"] == "scan.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", EXE_BYTES),  # a renamed executable
        ("notes.txt", b"plain text, not a document type we accept"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_other_types_by_content_are_415_and_nothing_is_written(api, provider, make_case, name, content):
    case = make_case()
    events = CaseEvent.objects.count()
    response = _upload(api.as_user(provider), case, SimpleUploadedFile(name, content, "application/pdf"))
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert Attachment.objects.count() == 0 and CaseEvent.objects.count() == events


def test_too_large_upload_is_413(api, provider, make_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    case = make_case()
    response = _upload(api.as_user(provider), case, pdf_upload(content=PDF_BYTES + b"0" * 2048))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Attachment.objects.count() == 0


def test_body_far_over_the_limit_is_refused_before_parsing(api, provider, make_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    case = make_case()
    response = _upload(api.as_user(provider), case, pdf_upload(content=PDF_BYTES + b"0" * 200_000))
    assert response.status_code == 413


def test_empty_file_or_no_file_is_400(api, provider, make_case):
    case = make_case()
    api.as_user(provider)
    assert _upload(api, case, SimpleUploadedFile("e.pdf", b"", "application/pdf")).status_code == 400
    response = api.post(f"/api/v1/authorizations/{case.pk}/attachments/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_no_documents_on_a_withdrawn_case(api, provider, make_case):
    case = make_case()
    api.as_user(provider).post(f"/api/v1/authorizations/{case.pk}/withdraw/", {"reason": "Surgery cancelled."})
    assert _upload(api, case, pdf_upload()).status_code == 409


def test_upload_with_idempotency_key_stores_one_document(api, provider, make_case):
    case = make_case()
    api.as_user(provider)
    first = api.post(
        f"/api/v1/authorizations/{case.pk}/attachments/",
        {"file": pdf_upload()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="up-1",
    )
    again = api.post(
        f"/api/v1/authorizations/{case.pk}/attachments/",
        {"file": pdf_upload()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="up-1",
    )
    assert first.json()["id"] == again.json()["id"]
    assert Attachment.objects.count() == 1


# --- additional information ----------------------------------------------------------


def test_answering_a_pend_returns_the_case_to_review(api, provider, make_case, pended):
    case = make_case()
    pend = pended(case)
    doc = _upload(api.as_user(provider), case, pdf_upload()).json()

    response = api.post(
        f"/api/v1/authorizations/{case.pk}/additional-information/",
        {"text": "Clinic notes attached.", "attachment_ids": [doc["id"]]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_review"
    assert response.json()["pend"]["responded_at"] is not None
    pend.refresh_from_db()
    assert pend.responded_by == provider and pend.response_text == "Clinic notes attached."
    assert [str(a.pk) for a in pend.response_attachments.all()] == [doc["id"]]
    kinds = list(case.events.values_list("kind", flat=True))
    assert "information_received" in kinds


def test_answering_without_an_open_pend_is_409(api, provider, make_case):
    case = make_case()
    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{case.pk}/additional-information/", {"text": "hello"}, format="json"
    )
    assert response.status_code == 409


def test_answer_must_say_something_and_documents_must_be_on_the_case(api, provider, make_case, pended):
    case, other = make_case(), make_case()
    pended(case)
    api.as_user(provider)
    assert (
        api.post(f"/api/v1/authorizations/{case.pk}/additional-information/", {"text": " "}, format="json").status_code
        == 400
    )
    foreign = _upload(api, other, pdf_upload()).json()
    response = api.post(
        f"/api/v1/authorizations/{case.pk}/additional-information/",
        {"text": "see doc", "attachment_ids": [foreign["id"]]},
        format="json",
    )
    assert response.status_code == 400
    assert "attachment_ids" in response.json()["errors"]


# --- withdraw ------------------------------------------------------------------------


def test_withdraw_an_open_request(api, provider, make_case):
    case = make_case()
    response = api.as_user(provider).post(
        f"/api/v1/authorizations/{case.pk}/withdraw/", {"reason": "Patient chose physical therapy."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert case.events.filter(kind=CaseEvent.Kind.WITHDRAWN).get().message == "Patient chose physical therapy."


def test_withdraw_needs_a_reason_and_an_undecided_case(api, provider, make_case, decided):
    case = make_case()
    api.as_user(provider)
    assert api.post(f"/api/v1/authorizations/{case.pk}/withdraw/", {"reason": ""}, format="json").status_code == 400
    decided(case)
    response = api.post(f"/api/v1/authorizations/{case.pk}/withdraw/", {"reason": "late"}, format="json")
    assert response.status_code == 409
    assert "not yet decided" in response.json()["detail"]


# --- criteria, peer-to-peer, appeals -------------------------------------------------


@pytest.fixture
def criteria_version(db):
    from criteria.models import CriteriaSet, CriteriaVersion

    cset = CriteriaSet.objects.create(name="Knee arthroplasty", source="internal")
    return CriteriaVersion.objects.create(
        criteria_set=cset,
        version="2026.1",
        effective_from="2026-01-01",
        text="Indications for TKA...",
        indications=["Radiographic OA", "Failed 3 months of conservative care"],
    )


def test_criteria_used_in_the_decision_with_text(api, provider, make_case, decided, criteria_version):
    case = make_case()
    api.as_user(provider)
    assert api.get(f"/api/v1/authorizations/{case.pk}/criteria/").json() == []
    decided(case, criteria=[criteria_version])
    [used] = api.get(f"/api/v1/authorizations/{case.pk}/criteria/").json()
    assert used["name"] == "Knee arthroplasty" and used["version"] == "2026.1"
    assert used["text"].startswith("Indications") and len(used["indications"]) == 2


def test_criteria_copy_request_is_recorded_after_a_decision(api, provider, make_case, decided, criteria_version):
    case = make_case()
    api.as_user(provider)
    assert api.post(f"/api/v1/authorizations/{case.pk}/criteria/").status_code == 409
    decided(case, criteria=[criteria_version])
    response = api.post(f"/api/v1/authorizations/{case.pk}/criteria/")
    assert response.status_code == 201
    assert response.json()["criteria"][0]["version"] == "2026.1"
    assert CriteriaCopyRequest.objects.filter(case=case, requested_by=provider).count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.CRITERIA_REQUESTED).count() == 1


def test_peer_to_peer_only_after_an_adverse_decision(api, provider, make_case, decided):
    case = make_case()
    api.as_user(provider)
    body = {"preferred_times": ["Tue 2-4pm"], "phone": "410-555-0100"}
    assert api.post(f"/api/v1/authorizations/{case.pk}/peer-to-peer/", body, format="json").status_code == 409
    decided(case, outcome="approved")
    assert api.post(f"/api/v1/authorizations/{case.pk}/peer-to-peer/", body, format="json").status_code == 409
    assert PeerToPeerRequest.objects.count() == 0


def test_peer_to_peer_request_after_denial(api, provider, make_case, decided):
    case = make_case()
    decided(case)
    api.as_user(provider)
    response = api.post(
        f"/api/v1/authorizations/{case.pk}/peer-to-peer/",
        {"preferred_times": ["Tue 2-4pm"], "phone": "410-555-0100"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "requested"
    assert case.events.filter(kind=CaseEvent.Kind.PEER_TO_PEER_REQUESTED).count() == 1
    again = api.post(f"/api/v1/authorizations/{case.pk}/peer-to-peer/", {"phone": "410-555-0100"}, format="json")
    assert again.status_code == 409
    bad_phone = api.post(f"/api/v1/authorizations/{case.pk}/peer-to-peer/", {"phone": "call me"}, format="json")
    assert bad_phone.status_code == 400
    assert "phone" in bad_phone.json()["errors"]


def test_appeal_standard_is_due_in_30_days_and_expedited_in_72_hours(api, provider, make_case, decided):
    standard, expedited = make_case(), make_case()
    decided(standard)
    decided(expedited)
    api.as_user(provider)

    before = timezone.now()
    one = api.post(f"/api/v1/authorizations/{standard.pk}/appeals/", {"reason": "New imaging."}, format="json")
    two = api.post(
        f"/api/v1/authorizations/{expedited.pk}/appeals/", {"reason": "Urgent.", "expedited": True}, format="json"
    )

    assert one.status_code == two.status_code == 201
    appeal = Appeal.objects.get(pk=one.json()["id"])
    assert one.json()["status"] == "open"
    assert timedelta(days=30) <= appeal.due_at - before < timedelta(days=30, minutes=1)
    fast = Appeal.objects.get(pk=two.json()["id"])
    assert timedelta(hours=72) <= fast.due_at - before < timedelta(hours=72, minutes=1)
    case_view = api.get(f"/api/v1/authorizations/{standard.pk}/").json()
    assert [a["id"] for a in case_view["appeals"]] == [appeal.pk]
    assert "appeal_filed" in [e["event"] for e in case_view["timeline"]]


def test_one_open_appeal_per_case_and_none_before_an_adverse_decision(api, provider, make_case, decided):
    case = make_case()
    api.as_user(provider)
    assert api.post(f"/api/v1/authorizations/{case.pk}/appeals/", {"reason": "x"}, format="json").status_code == 409
    decided(case)
    assert api.post(f"/api/v1/authorizations/{case.pk}/appeals/", {"reason": "x"}, format="json").status_code == 201
    again = api.post(f"/api/v1/authorizations/{case.pk}/appeals/", {"reason": "y"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "appeal_open"
    assert api.post(f"/api/v1/authorizations/{case.pk}/appeals/", {"reason": ""}, format="json").status_code == 400
    assert Appeal.objects.count() == 1
