"""Fax intake, issue 18 item 1: the gateway's service account posts faxes and nothing else;
a gateway resend is one inbox row with the resend recorded; every status change of a fax
is an event."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import AuthorizationRequest, FaxEvent, FaxReceipt
from cases.services.fax import fax_receipt_key, fax_receipt_receive
from um_portal.exceptions import Conflict
from um_portal.roles import Perm, Role, user_can, user_set_role

from ..factories import UserFactory
from .test_fax_inbox import _file, _pdf, _png, _receive

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOON = "2026-11-30T12:00:00-05:00"


@pytest.fixture
def gateway(db):
    user = UserFactory(username="fax-gateway", first_name="Fax", last_name="Gateway")
    user_set_role(user=user, role=Role.FAX_GATEWAY)
    return user


def _post(api, user, content: bytes, sender: str = "4105550101", name: str = "fax.pdf"):
    return api.as_user(user).post(
        "/api/v1/fax/inbound/", {"file": _file(content, name), "sender_fax": sender}, format="multipart"
    )


# --- the gateway's service account -------------------------------------------------------


def test_the_gateway_role_holds_only_the_fax_permission(gateway):
    assert [perm for perm in Perm if user_can(gateway, perm)] == [Perm.FAX_RECEIVE]


def test_the_gateway_account_posts_a_fax(api, gateway):
    response = _post(api, gateway, _pdf(2))
    assert response.status_code == 201, response.content
    fax = FaxReceipt.objects.get()
    assert fax.source == FaxReceipt.Source.GATEWAY and fax.received_by == gateway and fax.pages == 2


def test_the_gateway_account_reads_no_case_no_fax_and_no_inbox(api, client, gateway, nurse, member, surgeon, ortho):
    from .test_pages_provider import _form

    fax = _receive(nurse, _pdf(1))
    client.force_login(nurse)
    assert client.post("/cases/new/", _form(member, surgeon, ortho)).status_code == 302
    case = AuthorizationRequest.objects.get()
    assert api.as_user(gateway).get("/api/v1/authorizations/").json()["results"] == []
    assert api.as_user(gateway).get(f"/api/v1/authorizations/{case.pk}/").status_code in (403, 404)
    for url in ("/api/v1/members/", "/api/v1/queues/nurse/"):
        assert api.as_user(gateway).get(url).status_code in (403, 404), url
    client.force_login(gateway)
    for url in ("/cases/faxes/", f"/cases/faxes/{fax.pk}/", f"/cases/faxes/{fax.pk}/file/", f"/cases/{case.pk}/"):
        assert client.get(url).status_code in (403, 404), url
    assert not fax.events.filter(actor=gateway).exists()


def test_the_gateway_cannot_key_a_fax_and_nothing_is_written(gateway, nurse, member, surgeon, ortho):
    fax = _receive(nurse, _pdf(1))
    with pytest.raises(Exception):  # noqa: B017, PT011  (NotFound: the gateway sees no fax)
        fax_receipt_key(user=gateway, fax_id=fax.pk, case=AuthorizationRequest(pk=None))
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.NEW and list(fax.events.values_list("kind", flat=True)) == ["received"]


# --- resends --------------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_a_gateway_resend_is_one_inbox_row_with_the_resend_recorded(api, gateway):
    first = _post(api, gateway, _pdf(3))
    again = _post(api, gateway, _pdf(3), sender="(410) 555-0101")  # same number, other punctuation
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["resent"] is True
    fax = FaxReceipt.objects.get()
    assert fax.resend_count == 1
    assert list(fax.events.values_list("kind", flat=True)) == ["received", "resent"]
    assert fax.events.get(kind="resent").data["source"] == "gateway"


def test_the_same_content_from_another_number_or_after_the_window_is_a_new_fax(api, gateway, settings):
    settings.FAX_RESEND_WINDOW_HOURS = 24
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _post(api, gateway, _pdf(2)).status_code == 201
        assert _post(api, gateway, _pdf(2), sender="3015550199").status_code == 201
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert _post(api, gateway, _pdf(2)).status_code == 201
    assert FaxReceipt.objects.count() == 3 and FaxEvent.objects.filter(kind="resent").count() == 0


def test_a_resent_bad_file_is_one_rejected_row(api, gateway):
    _post(api, gateway, _png(), name="x.png")
    response = _post(api, gateway, _png(), name="x.png")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert FaxReceipt.objects.get().resend_count == 1


def test_a_resend_of_a_keyed_fax_stays_keyed_and_out_of_the_inbox(api, gateway, nurse, client, member, surgeon, ortho):
    from .test_pages_provider import _form

    fax = _receive(nurse, _pdf(1), sender_fax="4105550101")
    client.force_login(nurse)
    assert (
        client.post("/cases/new/", _form(member, surgeon, ortho, channel="fax", fax_receipt=str(fax.pk))).status_code
        == 302
    )
    assert _post(api, gateway, _pdf(1)).status_code == 200
    fax.refresh_from_db()
    assert fax.status == FaxReceipt.Status.KEYED and fax.resend_count == 1
    assert str(fax.pk) not in client.get("/cases/faxes/").content.decode()


def test_a_file_key_filed_once_returns_the_same_row(nurse):
    upload = _file(_pdf(1))
    one = fax_receipt_receive(user=None, upload=upload, source=FaxReceipt.Source.FOLDER, source_key="folder:a.pdf:x")
    two = fax_receipt_receive(user=None, upload=upload, source=FaxReceipt.Source.FOLDER, source_key="folder:a.pdf:x")
    assert one.pk == two.pk and two.retried and FaxReceipt.objects.count() == 1
    assert FaxEvent.objects.filter(fax=one).count() == 1


def test_only_the_watched_folder_files_without_a_user():
    with pytest.raises(Exception):  # noqa: B017, PT011  (NotAllowed)
        fax_receipt_receive(user=None, upload=_file(_pdf(1)), source=FaxReceipt.Source.GATEWAY)
    assert FaxReceipt.objects.count() == 0


# --- events ---------------------------------------------------------------------------------


def test_every_fax_status_change_is_an_event(client, nurse, member, surgeon, ortho):
    from .test_pages_provider import _form

    good = _receive(nurse, _pdf(1))
    bad = _receive(nurse, _pdf(0))
    client.force_login(nurse)
    client.post("/cases/new/", _form(member, surgeon, ortho, channel="fax", fax_receipt=str(good.pk)))
    case = AuthorizationRequest.objects.get()
    rows = list(FaxEvent.objects.order_by("at", "id").values_list("fax_id", "kind", "old_status", "new_status"))
    assert rows == [
        (good.pk, "received", "", "new"),
        (bad.pk, "rejected", "", "rejected"),
        (good.pk, "keyed", "new", "keyed"),
    ]
    keyed = FaxEvent.objects.get(kind="keyed")
    assert keyed.actor == nurse and keyed.case == case and case.reference in keyed.message
    good.refresh_from_db()
    assert good.alert_next_at is None  # keyed: no more deadline alerts


def test_a_new_fax_has_its_first_deadline_alert_time_and_a_rejected_one_none(nurse):
    good = _receive(nurse, _pdf(1))
    bad = _receive(nurse, _png(), "x.png")
    assert good.received_at < good.alert_next_at < good.due_at
    assert bad.alert_next_at is None


def test_fax_events_are_append_only(nurse):
    event = _receive(nurse, _pdf(1)).events.get()
    with pytest.raises(TypeError):
        event.save()


def test_a_keyed_fax_cannot_be_attached_and_the_refusal_is_a_conflict(nurse):
    from cases.services.fax import fax_status_set

    fax = _receive(nurse, _pdf(0))
    with pytest.raises(Conflict):
        fax_status_set(fax=fax, to_status=FaxReceipt.Status.KEYED, actor=nurse)
    assert fax.events.count() == 1


def test_the_inbox_shows_a_resend_and_the_fax_page_its_history(api, gateway, client, nurse):
    _post(api, gateway, _pdf(2))
    _post(api, gateway, _pdf(2))
    fax = FaxReceipt.objects.get()
    client.force_login(nurse)
    assert "(sent again 1×, kept once)" in client.get("/cases/faxes/").content.decode()
    history = client.get(f"/cases/faxes/{fax.pk}/").content.decode().split('id="fax-history"')[1]
    assert history.index("Received") < history.index("Sent again by the gateway")
    assert "kept once" in history
