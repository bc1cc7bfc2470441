"""The provider-side services check access themselves, whatever the door (shell, task,
another view): a stranger organization gets 404 and a role without the permission 403,
and nothing is written."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Attachment, CaseEvent
from cases.services import attachments
from reviews.models import Appeal, CriteriaCopyRequest, PeerToPeerRequest
from reviews.services import provider_requests
from tests.cases.conftest import PDF_BYTES
from um_portal.exceptions import NotAllowed, NotFound

pytestmark = pytest.mark.django_db

CALLS = {
    "withdraw": lambda case, user: provider_requests.case_withdraw(case=case, user=user, reason="r"),
    "criteria": lambda case, user: provider_requests.criteria_copy_request(case=case, user=user),
    "peer_to_peer": lambda case, user: provider_requests.peer_to_peer_request(
        case=case, user=user, phone="410-555-0100", preferred_times=["Tue 2-4 pm"]
    ),
    "appeal": lambda case, user: provider_requests.appeal_file(case=case, user=user, reason="r"),
    "answer_pend": lambda case, user: provider_requests.pend_answer(case=case, user=user, text="notes"),
    "attach": lambda case, user: attachments.attachment_add(
        case=case, user=user, upload=SimpleUploadedFile("n.pdf", PDF_BYTES, content_type="application/pdf")
    ),
}


def _written():
    return (
        CaseEvent.objects.count(),
        Attachment.objects.count(),
        Appeal.objects.count(),
        PeerToPeerRequest.objects.count(),
        CriteriaCopyRequest.objects.count(),
    )


@pytest.mark.parametrize("action", sorted(CALLS))
def test_stranger_organization_gets_404_from_the_service_itself(make_case, decided, provider2, action):
    case = make_case()
    if action in ("peer_to_peer", "appeal", "criteria"):
        decided(case)
    before = _written()

    with pytest.raises(NotFound):
        CALLS[action](case, provider2)

    assert _written() == before


@pytest.mark.parametrize("action", ["withdraw", "appeal", "peer_to_peer"])
def test_a_reviewer_cannot_act_as_the_provider(make_case, decided, physician, action):
    case = make_case()
    if action != "withdraw":
        decided(case)
    before = _written()

    with pytest.raises(NotAllowed):
        CALLS[action](case, physician)

    assert _written() == before


def test_the_case_party_still_succeeds(make_case, provider):
    case = make_case(start_date=timezone.localdate() + timedelta(days=10))
    provider_requests.case_withdraw(case=case, user=provider, reason="Postponed.")
    case.refresh_from_db()
    assert case.status == "withdrawn"
