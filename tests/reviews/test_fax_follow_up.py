"""A follow-up fax for an existing case (issue 18, item 1): attached from the fax page, it
becomes the case's document and answers an open request for information the way the
office's answer does; refused attaches write nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.deadlines.clocks import case_clocks_compute
from cases.models import Attachment, CaseEvent, CaseStatus, FaxOcr, FaxReceipt
from cases.services.fax import fax_receipt_receive
from reviews.models import Pend
from reviews.services.fax_followup import fax_follow_up_attach
from tests.cases.test_fax_inbox import _pdf
from um_portal.exceptions import Conflict, NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _fax(user, *, pages: int = 2, received_at=None) -> FaxReceipt:
    upload = SimpleUploadedFile("follow-up.pdf", _pdf(pages), content_type="application/pdf")
    return fax_receipt_receive(user=user, upload=upload, source=FaxReceipt.Source.UPLOAD, received_at=received_at)


def test_a_follow_up_fax_answers_the_open_pend_like_the_office_would(client, nurse, make_case, pended):
    case = make_case()
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        pend = pended(case)
    received = timezone.now() - timedelta(minutes=30)
    fax = _fax(nurse, received_at=received)

    client.force_login(nurse)
    response = client.post(f"/cases/faxes/{fax.pk}/attach/", {"reference": case.reference.lower()})

    assert response.status_code == 302 and response["Location"] == f"/reviews/cases/{case.pk}/"
    case.refresh_from_db()
    pend.refresh_from_db()
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.ATTACHED and list(fax.cases.all()) == [case]
    document = Attachment.objects.get(case=case)
    assert document.file.name == fax.file.name and document.uploaded_at == received  # the fax, stored once
    assert pend.responded_at == received and pend.responded_by == nurse
    assert list(pend.response_attachments.all()) == [document]
    assert pend.response_text.startswith("Answered by fax received ")
    assert case.status == CaseStatus.IN_REVIEW
    expected_due, expected_clocks = case_clocks_compute(case=case, information_received_at=received)
    assert (case.decision_due_at, case.clocks) == (expected_due, expected_clocks)
    assert case.events.filter(kind=CaseEvent.Kind.INFORMATION_RECEIVED).count() == 1
    attached = fax.events.get(kind="attached")
    assert (attached.old_status, attached.new_status, attached.case, attached.actor) == ("new", "attached", case, nurse)
    assert str(fax.pk) not in client.get("/cases/faxes/").content.decode()


def test_a_fax_received_before_the_pend_answers_it_from_the_pend_time(nurse, make_case, pended):
    case = make_case()
    fax = _fax(nurse, received_at=timezone.now() - timedelta(hours=3))
    pend = pended(case)
    fax_follow_up_attach(user=nurse, fax_id=fax.pk, reference=case.reference)
    pend.refresh_from_db()
    assert pend.responded_at == pend.requested_at


def test_a_follow_up_fax_without_an_open_pend_is_only_attached(nurse, make_case):
    case = make_case()
    status = case.status
    done = fax_follow_up_attach(user=nurse, fax_id=_fax(nurse).pk, reference=case.reference)
    case.refresh_from_db()
    assert done.pend is None and case.status == status
    assert Attachment.objects.filter(case=case).count() == 1
    assert not Pend.objects.exists()


def test_an_attached_fax_is_neither_attached_again_nor_keyed(nurse, make_case, client, member, surgeon, ortho):
    from tests.cases.test_pages_provider import _form

    case, other = make_case(), make_case()
    fax = _fax(nurse)
    fax_follow_up_attach(user=nurse, fax_id=fax.pk, reference=case.reference)
    with pytest.raises(Conflict):
        fax_follow_up_attach(user=nurse, fax_id=fax.pk, reference=other.reference)
    client.force_login(nurse)
    response = client.post("/cases/new/", _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk)))
    assert response.status_code == 409
    assert Attachment.objects.filter(case=other).count() == 0 and fax.events.filter(kind="attached").count() == 1


def test_a_rejected_fax_cannot_be_attached_and_nothing_is_written(client, nurse, make_case, pended):
    case = make_case()
    pended(case)
    bad = fax_receipt_receive(user=nurse, upload=SimpleUploadedFile("x.pdf", _pdf(0)), source=FaxReceipt.Source.UPLOAD)
    client.force_login(nurse)
    response = client.post(f"/cases/faxes/{bad.pk}/attach/", {"reference": case.reference})
    assert response.status_code == 409 and "cannot be attached" in response.content.decode()
    assert not Attachment.objects.exists() and Pend.objects.get().responded_at is None


def test_an_unknown_reference_is_a_clear_404_and_the_fax_stays_in_the_inbox(client, nurse):
    fax = _fax(nurse)
    client.force_login(nurse)
    response = client.post(f"/cases/faxes/{fax.pk}/attach/", {"reference": "UM-2026-999999"})
    assert response.status_code == 404 and "No case UM-2026-999999" in response.content.decode()
    response = client.post(f"/cases/faxes/{fax.pk}/attach/", {"reference": "  "})
    assert response.status_code == 400 and "Give the case reference" in response.content.decode()
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW and not fax.cases.exists()


def test_a_provider_cannot_attach_a_fax_and_nothing_is_written(client, provider, nurse, make_case, pended):
    case = make_case()
    pended(case)
    fax = _fax(nurse)
    client.force_login(provider)
    assert client.post(f"/cases/faxes/{fax.pk}/attach/", {"reference": case.reference}).status_code == 404
    with pytest.raises(NotFound):
        fax_follow_up_attach(user=provider, fax_id=fax.pk, reference=case.reference)
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW and not Attachment.objects.exists()
    assert Pend.objects.get().responded_at is None


def test_the_fax_page_offers_the_attach_form_with_the_case_ocr_found(client, nurse, make_case):
    case = make_case()
    fax = _fax(nurse)
    FaxOcr.objects.update_or_create(
        fax=fax,
        defaults={
            "status": FaxOcr.Status.DONE,
            "follow_up": {"reference": case.reference, "page": 1, "case_id": str(case.pk)},
        },
    )
    client.force_login(nurse)
    html = client.get(f"/cases/faxes/{fax.pk}/").content.decode()
    assert f'action="/cases/faxes/{fax.pk}/attach/"' in html
    assert f'value="{case.reference}"' in html
