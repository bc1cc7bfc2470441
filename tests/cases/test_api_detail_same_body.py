"""The API's case detail and list answer exactly what DRF's generic serializer walk gives
over the case with every relation prefetched (issue #13: the API reads a lean selector and
builds its dicts directly; the case pages and the API read only the relations a probe
finds rows in). Cases in every state the detail shows: new and assigned, pended, denied
with criteria and a coded reason, appealed, extended, lettered, with documents, approved
with an authorization, its versions and a change request, and the change request itself;
as the office and as a nurse."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from cases.models import AuthorizationRequest
from cases.selectors import DETAIL_RELATED, case_related_attach
from cases.serializers import CaseDetailSerializer, CaseListSerializer
from cases.services.attachments import attachment_add
from notifications.models import Letter, LetterTemplate
from reviews.models import Appeal, Extension
from reviews.selectors import PROBED_RELATIONS, RELATIONS_COMPILED, case_detail, case_detail_queryset
from reviews.services.decisions import case_approve
from reviews.services.pends import case_pend
from tests.cases.conftest import pdf_upload
from tests.factories import CriteriaVersionFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cases(make_case, decided, nurse, provider, api) -> list:
    new = make_case()
    AuthorizationRequest.objects.filter(pk=new.pk).update(assigned_to=nurse)
    attachment_add(case=new, user=provider, upload=pdf_upload(), description="Clinic notes")

    pended = make_case(urgency="expedited", expedited_reason="Severe pain.")
    case_pend(
        case_id=pended.pk,
        actor=nurse,
        requested_information="Send the X-rays.",
        respond_by=timezone.localdate() + timedelta(days=3),
        reason_code="PD01",
    )
    Extension.objects.create(
        case=pended, ground="member_request", reason="The member asked.", rule="ncqa",
        old_due_at=pended.decision_due_at, new_due_at=pended.decision_due_at + timedelta(days=14),
        granted_by=nurse, granted_at=timezone.now(),
    )  # fmt: skip

    denied = make_case()
    decision = decided(denied, criteria=[CriteriaVersionFactory(), CriteriaVersionFactory()])
    Appeal.objects.create(
        case=denied, decision_appealed=decision, reason="New notes.", filed_by=provider,
        filed_at=timezone.now(), due_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    event, template = denied.events.first(), LetterTemplate.objects.first()
    issued = {"status": Letter.Status.ISSUED, "issued_at": timezone.now(), "template": template, "pdf": "l.pdf",
              "sha256": "0" * 64}  # fmt: skip
    for recipient, more in (
        (Letter.Recipient.REQUESTING_PROVIDER, issued),
        (Letter.Recipient.MEMBER, issued),
        (Letter.Recipient.SERVICING_PROVIDER, {}),
    ):
        Letter.objects.create(case=denied, kind="denial", recipient=recipient, event=event, **more)

    approved = make_case(lines=[
        {"code_system": "CPT", "code": "27447", "units": 6, "start_date": NOW.date() + timedelta(days=5),
         "end_date": NOW.date() + timedelta(days=40)},
    ])  # fmt: skip
    case_approve(case_id=approved.pk, actor=nurse)
    asked = api.as_user(provider).post(
        f"/api/v1/authorizations/{approved.pk}/changes/",
        {"kind": "add_units", "lines": [{"line_number": 1, "units": 2}], "reason": "Slow recovery."},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    change = AuthorizationRequest.objects.get(change_of=approved)
    case_approve(case_id=change.pk, actor=nurse)
    api.as_user(provider).post(
        f"/api/v1/authorizations/{approved.pk}/changes/",
        {"kind": "extend", "end_date": (NOW.date() + timedelta(days=60)).isoformat(), "reason": "Not healed."},
        format="json",
    )
    return [new, pended, denied, approved, change]


def reference_body(user, case_id) -> bytes:
    """The detail as DRF's generic walk of the declared fields shows the case with every
    relation prefetched (no probe of which it has: `case_detail_queryset`)."""
    case = case_related_attach([case_detail_queryset().get(pk=case_id)], DETAIL_RELATED)[0]
    serializer = CaseDetailSerializer(case, context={"request": SimpleNamespace(user=user)})
    return JSONRenderer().render(serializers.Serializer.to_representation(serializer, case))


@pytest.mark.parametrize("who", ["provider", "nurse"])
def test_the_detail_body_is_the_generic_serializers_byte_for_byte(api, cases, request, who):
    user = request.getfixturevalue(who)
    shown = set()
    for case in cases:
        response = api.as_user(user).get(f"/api/v1/authorizations/{case.pk}/")
        assert response.status_code == 200
        assert response.content == reference_body(user, case.pk)
        shown |= {name for name, value in response.json().items() if value}
    # Every part of the detail was shown by one case or another.
    assert shown >= {"assigned_to", "clocks", "lines", "pend", "extension", "decision", "authorization", "change",
                     "letters", "appeals", "attachments", "timeline", "change_of", "expedited_reason"} - (
        {"assigned_to"} if who == "provider" else set()
    )  # fmt: skip
    assert api.as_user(user).get(f"/api/v1/authorizations/{cases[3].pk}/").json()["authorization"]["change_requests"]


@pytest.mark.parametrize("who", ["provider", "nurse"])
def test_the_list_body_is_the_generic_serializers_byte_for_byte(api, cases, request, who):
    user = request.getfixturevalue(who)
    AuthorizationRequest.objects.update(assigned_to=request.getfixturevalue("nurse"))
    body = api.as_user(user).get("/api/v1/authorizations/").json()
    rows = case_related_attach(AuthorizationRequest.objects.filter(pk__in=[row["id"] for row in body["results"]]))
    by_id = {str(case.pk): case for case in rows}
    serializer = CaseListSerializer(context={"request": SimpleNamespace(user=user)})
    expected = [serializers.Serializer.to_representation(serializer, by_id[row["id"]]) for row in body["results"]]
    assert len(expected) == AuthorizationRequest.objects.count() == len(cases) + 1  # the second change asked
    assert JSONRenderer().render(body["results"]) == JSONRenderer().render(expected)


def _shown(case, name):
    if name == "decisions":
        return [d.pk for d in case.current_decisions]
    if name in ("extension", "authorization"):
        return getattr(getattr(case, name, None), "pk", None)
    return [row.pk for row in getattr(case, name).all()]


@pytest.mark.parametrize("who", ["provider", "nurse"])
def test_the_pages_read_each_relation_as_a_full_prefetch_does(cases, request, who, django_assert_num_queries):
    user = request.getfixturevalue(who)
    for case in cases:
        probed = case_detail(user=user, case_id=case.pk)
        full = case_detail_queryset().get(pk=case.pk)
        with django_assert_num_queries(0):
            assert [_shown(probed, name) for name in PROBED_RELATIONS] == [
                _shown(full, name) for name in PROBED_RELATIONS
            ]
            # Rows read without Django's prefetch point back to the case, as prefetched rows do.
            for name in RELATIONS_COMPILED:
                assert all(row.case is probed for row in getattr(probed, name).all())
