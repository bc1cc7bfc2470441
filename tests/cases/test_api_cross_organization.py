"""The cross-organization matrix: provider2 (imaging) against a case of provider's
organization (ortho). Every object endpoint answers 404, exactly like a missing case,
and writes nothing."""

import uuid

import pytest

from cases.models import Attachment, AuthorizationRequest, CaseEvent
from reviews.models import Appeal, CriteriaCopyRequest, PeerToPeerRequest, Pend
from um_portal.models import AccessLog, IdempotencyKey

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "events": CaseEvent.objects.count(),
        "attachments": Attachment.objects.count(),
        "access_logs": AccessLog.objects.count(),
        "answered_pends": Pend.objects.filter(responded_at__isnull=False).count(),
        "appeals": Appeal.objects.count(),
        "peer_to_peers": PeerToPeerRequest.objects.count(),
        "criteria_requests": CriteriaCopyRequest.objects.count(),
        "idempotency_keys": IdempotencyKey.objects.count(),
        "statuses": sorted(AuthorizationRequest.objects.values_list("status", flat=True)),
    }


@pytest.fixture
def their_cases(provider, make_case, pended, decided, api):
    """An ortho case pended for information (with a document), and a denied one."""
    open_case = make_case()
    pended(open_case)
    doc = (
        api.as_user(provider)
        .post(f"/api/v1/authorizations/{open_case.pk}/attachments/", {"file": pdf_upload()}, format="multipart")
        .json()
    )
    denied_case = make_case()
    decided(denied_case)
    return open_case, denied_case, doc["id"]


def _requests(open_case, denied_case, doc_id):
    base_open, base_denied = f"/api/v1/authorizations/{open_case}", f"/api/v1/authorizations/{denied_case}"
    return [
        ("get", f"{base_open}/", None),
        ("get", f"{base_open}/attachments/{doc_id}/", None),
        ("post", f"{base_open}/attachments/", "upload"),
        ("post", f"{base_open}/additional-information/", {"text": "here", "attachment_ids": [doc_id]}),
        ("post", f"{base_open}/withdraw/", {"reason": "mine now"}),
        ("get", f"{base_denied}/criteria/", None),
        ("post", f"{base_denied}/criteria/", {}),
        ("post", f"{base_denied}/peer-to-peer/", {"phone": "410-555-0100", "preferred_times": []}),
        ("post", f"{base_denied}/appeals/", {"reason": "disagree", "expedited": True}),
    ]


def _call(api, method, url, body):
    if body == "upload":
        return api.post(url, {"file": pdf_upload()}, format="multipart", HTTP_IDEMPOTENCY_KEY="x")
    if method == "get":
        return api.get(url)
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_stranger_organization_gets_404_everywhere_and_nothing_is_written(api, provider2, their_cases):
    open_case, denied_case, doc_id = their_cases
    before = _snapshot()
    api.as_user(provider2)
    for method, url, body in _requests(open_case.pk, denied_case.pk, doc_id):
        response = _call(api, method, url, body)
        assert response.status_code == 404, (url, response.status_code)
        assert response.json()["code"] == "not_found", url
    assert _snapshot() == before


def test_stranger_answer_is_the_same_as_for_a_missing_case(api, provider2, their_cases):
    open_case, _denied, doc_id = their_cases
    api.as_user(provider2)
    stranger = api.get(f"/api/v1/authorizations/{open_case.pk}/").json()
    missing = api.get(f"/api/v1/authorizations/{uuid.uuid4()}/").json()
    assert stranger == missing
    # A document id of their case under a missing case id: still 404.
    assert api.get(f"/api/v1/authorizations/{uuid.uuid4()}/attachments/{doc_id}/").status_code == 404


def test_stranger_list_does_not_show_the_case(api, provider2, their_cases):
    body = api.as_user(provider2).get("/api/v1/authorizations/").json()
    assert body["results"] == []


def test_the_owning_organization_reaches_every_endpoint(api, provider, their_cases):
    """The same matrix for the owner: proves the 404s above come from access, not from bad calls."""
    open_case, denied_case, doc_id = their_cases
    api.as_user(provider)
    codes = [_call(api, m, u, b).status_code for m, u, b in _requests(open_case.pk, denied_case.pk, doc_id)]
    assert codes == [200, 200, 201, 200, 200, 200, 201, 201, 201]
