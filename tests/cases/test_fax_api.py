"""The fax API of the contract (API.md, "Fax intake"): the gateway's door at
/api/v1/fax/inbound/ (`from_number`), the inbox list GET /api/v1/fax/ and one fax with its
OCR pre-fill candidates GET /api/v1/fax/{id}/. Staff who key only; every read logged."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import FaxOcr, FaxReceipt
from tests.plans import sent_text
from um_portal.models import AccessLog

from .test_fax_inbox import _file, _pdf, _receive

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@time_machine.travel("2026-11-30T12:00:00-05:00", tick=False)
def test_inbound_answers_id_received_at_due_at_and_takes_from_number(api, nurse):
    response = api.as_user(nurse).post(
        "/api/v1/fax/inbound/",
        {"file": _file(_pdf(2)), "received_at": "2026-11-27T16:05:00-05:00", "from_number": "+1 410 555 0101"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    fax = FaxReceipt.objects.get()
    assert body["id"] == str(fax.pk) and body["received_at"] and body["due_at"]
    assert fax.sender_fax == "14105550101"


@time_machine.travel("2026-11-30T12:00:00-05:00", tick=False)
def test_inbox_list_pages_oldest_first_logs_in_one_insert(api, nurse, django_assert_num_queries):
    now = timezone.now()
    faxes = [_receive(nurse, _pdf(1 + n), received_at=now - timedelta(hours=5 - n)) for n in range(3)]
    _receive(nurse, _pdf(0))  # rejected: still in the inbox
    client = api.as_user(nurse)
    before = AccessLog.objects.count()
    with django_assert_num_queries(3) as captured:  # faxes, their cases, one access-log insert
        response = client.get("/api/v1/fax/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["id"] for r in rows[:3]] == [str(f.pk) for f in faxes]
    assert len(rows) == 4 and rows[3]["status"] == "rejected"
    assert {"status", "received_at", "due_at", "from_number", "pages"} <= set(rows[0])
    assert AccessLog.objects.count() - before == 4
    sent = [sent_text(q["sql"]) for q in captured.captured_queries]  # an EXECUTE: its prepared text
    assert sum("INSERT" in sql and "accesslog" in sql for sql in sent) == 1


@time_machine.travel("2026-11-30T12:00:00-05:00", tick=False)
def test_inbox_list_query_count_does_not_grow_with_rows(api, nurse, django_assert_max_num_queries):
    client = api.as_user(nurse)
    _receive(nurse, _pdf(1))
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/fax/")
    for n in range(4):
        _receive(nurse, _pdf(2 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/fax/")
    assert len(response.json()["results"]) == 5


def test_inbox_list_is_for_staff_who_key(api, provider, physician):
    assert api.as_user(provider).get("/api/v1/fax/").status_code == 403
    assert api.as_user(physician).get("/api/v1/fax/").status_code == 403


@time_machine.travel("2026-11-30T12:00:00-05:00", tick=False)
def test_fax_detail_gives_prefill_candidates_and_is_logged(api, nurse, provider, physician):
    fax = _receive(nurse, _pdf(2), sender_fax="4105550101")
    FaxOcr.objects.update_or_create(
        fax=fax,
        defaults={
            "status": FaxOcr.Status.DONE,
            "pages": [{"page": 1, "text": "", "confidence": 91.5, "words": 10}],
            "requests": [
                {
                    "pages": [1, 2],
                    "fields": {
                        "member_number": {"value": "M100", "page": 1, "note": ""},
                        "diagnosis_codes": {"value": "M17.11", "page": 2, "note": ""},
                    },
                    "lines": [{"code_system": "CPT", "code": "27447", "page": 1}],
                    "unread": [],
                    "problems": [],
                }
            ],
        },
    )
    response = api.as_user(nurse).get(f"/api/v1/fax/{fax.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "new" and body["pages"] == 2 and body["from_number"] == "4105550101"
    assert body["received_at"] and body["due_at"]
    assert body["prefill"] == [
        {"field": "member_number", "value": "M100", "page": 1, "confidence": 91.5},
        {"field": "diagnosis_codes", "value": "M17.11", "page": 2, "confidence": None},
        {"field": "line_code", "value": "CPT 27447", "page": 1, "confidence": 91.5},
    ]
    assert AccessLog.objects.filter(object_kind="fax", object_id=str(fax.pk), how=AccessLog.How.API).count() == 1
    assert api.as_user(provider).get(f"/api/v1/fax/{fax.pk}/").status_code == 404
    assert api.as_user(physician).get(f"/api/v1/fax/{fax.pk}/").status_code == 404
    assert api.as_user(nurse).get("/api/v1/fax/not-a-uuid/").status_code == 404


def test_fax_detail_without_ocr_has_no_prefill(api, nurse):
    fax = _receive(nurse, _pdf(1))
    FaxOcr.objects.filter(fax=fax).delete()
    body = api.as_user(nurse).get(f"/api/v1/fax/{fax.pk}/").json()
    assert body["prefill"] == []
