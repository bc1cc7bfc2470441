"""The follow-up attach over the API (issue 18): `POST /api/v1/fax/{id}/attach/`
answers the case's open pend like the fax page's button; errors are in the API shape and
write nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Attachment, CaseStatus, FaxReceipt
from reviews.models import Pend
from tests.reviews.test_fax_follow_up import _fax
from um_portal.models import AccessLog

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _url(fax) -> str:
    return f"/api/v1/fax/{fax.pk}/attach/"


def test_a_nurse_attaches_a_follow_up_fax_and_the_pend_is_answered(api, nurse, make_case, pended):
    case = make_case()
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        pend = pended(case)
    fax = _fax(nurse, received_at=timezone.now() - timedelta(minutes=30))

    response = api.as_user(nurse).post(_url(fax), {"reference": case.reference.lower()}, format="json")

    assert response.status_code == 200, response.content
    document = Attachment.objects.get(case=case)
    assert response.json() == {
        "id": str(fax.pk),
        "status": "attached",
        "case_id": str(case.pk),
        "case_reference": case.reference,
        "case_status": CaseStatus.IN_REVIEW,
        "attachment_id": str(document.pk),
        "pend_answered": True,
    }
    pend.refresh_from_db()
    fax.refresh_from_db()
    assert pend.responded_at == fax.received_at and list(pend.response_attachments.all()) == [document]
    assert fax.status == FaxReceipt.Status.ATTACHED and list(fax.cases.all()) == [case]
    assert AccessLog.objects.filter(user=nurse, how=AccessLog.How.API, object_id=str(case.pk)).exists()


def test_an_unknown_case_is_a_404_in_the_api_shape_and_nothing_is_written(api, nurse):
    fax = _fax(nurse)
    response = api.as_user(nurse).post(_url(fax), {"reference": "UM-2026-999999"}, format="json")
    assert response.status_code == 404
    assert "No case UM-2026-999999" in response.json()["detail"] and response.json()["code"]
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW and not fax.cases.exists() and not Attachment.objects.exists()


def test_an_unknown_fax_is_a_404(api, nurse, make_case):
    case = make_case()
    unknown = "/api/v1/fax/00000000-0000-0000-0000-000000000000/attach/"
    response = api.as_user(nurse).post(unknown, {"reference": case.reference}, format="json")
    assert response.status_code == 404 and not Attachment.objects.exists()


def test_a_missing_reference_is_a_400_naming_the_field(api, nurse):
    fax = _fax(nurse)
    response = api.as_user(nurse).post(_url(fax), {}, format="json")
    assert response.status_code == 400 and "reference" in response.json()["errors"]
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW


def test_a_fax_attached_already_is_a_409_and_the_second_case_gets_nothing(api, nurse, make_case, pended):
    case, other = make_case(), make_case()
    pended(other)
    fax = _fax(nurse)
    assert api.as_user(nurse).post(_url(fax), {"reference": case.reference}, format="json").status_code == 200

    response = api.post(_url(fax), {"reference": other.reference}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "fax_not_attachable"
    assert not Attachment.objects.filter(case=other).exists()
    assert Pend.objects.get(case=other).responded_at is None
    assert fax.events.filter(kind="attached").count() == 1


def test_a_rejected_fax_is_a_409_and_the_pend_stays_open(api, nurse, make_case, pended):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services.fax import fax_receipt_receive
    from tests.cases.test_fax_inbox import _pdf

    case = make_case()
    pended(case)
    bad = fax_receipt_receive(user=nurse, upload=SimpleUploadedFile("x.pdf", _pdf(0)), source=FaxReceipt.Source.UPLOAD)
    assert bad.status == FaxReceipt.Status.REJECTED

    response = api.as_user(nurse).post(_url(bad), {"reference": case.reference}, format="json")

    assert response.status_code == 409 and "cannot be attached" in response.json()["detail"]
    assert not Attachment.objects.exists() and Pend.objects.get().responded_at is None


@pytest.mark.parametrize("persona", ["provider", "physician"])
def test_only_staff_who_key_may_attach_and_nothing_is_written(request, api, persona, nurse, make_case, pended):
    case = make_case()
    pended(case)
    fax = _fax(nurse)

    stranger = request.getfixturevalue(persona)
    response = api.as_user(stranger).post(_url(fax), {"reference": case.reference}, format="json")

    assert response.status_code in (403, 404) and "detail" in response.json()
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW and not Attachment.objects.exists()
    assert Pend.objects.get().responded_at is None
