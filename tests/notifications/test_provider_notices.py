"""Provider offices hear of a request for information, a decision and a talk the plan
offers: an in-portal notice per office user and an e-mail with no PHI that links to the
request (issue 22, item 2)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import CaseEvent
from notifications.models import Notification
from notifications.services.alerts import notification_email_send
from notifications.services.provider_notices import provider_notices_for_event
from notifications.task_names import PROVIDER_NOTICES_FOR_EVENT
from reviews.services.decisions import case_approve
from reviews.services.peer_to_peer import peer_to_peer_offer
from reviews.services.pends import case_pend
from tests.tasks_sent import tasks_sent

pytestmark = pytest.mark.django_db


def _event(case, kind):
    return CaseEvent.objects.filter(case=case, kind=kind).latest("id")


def test_a_pend_notifies_the_requesting_office_once_with_its_respond_by_date(make_case, nurse, provider, provider2):
    provider.email = "office@example.org"
    provider.save(update_fields=["email"])
    case = make_case()
    respond_by = timezone.localdate() + timedelta(days=5)
    case_pend(
        reason_code="PD01",
        case_id=case.pk,
        actor=nurse,
        requested_information="Send the knee X-rays.",
        respond_by=respond_by,
    )
    event = _event(case, CaseEvent.Kind.INFORMATION_REQUESTED)

    created = provider_notices_for_event(event_id=event.pk)
    again = provider_notices_for_event(event_id=event.pk)

    notice = Notification.objects.get(user=provider)
    assert (created, again) == (1, 0)
    assert notice.kind == Notification.Kind.INFORMATION_REQUESTED and notice.case_id == case.pk
    assert case.reference in notice.message and respond_by.strftime("%-d %b %Y") in notice.message
    assert not Notification.objects.filter(user=provider2).exists()  # another office


def test_the_e_mail_links_to_the_request_and_carries_no_phi(make_case, nurse, provider):
    provider.email = "office@example.org"
    provider.save(update_fields=["email"])
    case = make_case()
    case_pend(
        reason_code="PD01", case_id=case.pk, actor=nurse, requested_information="Send the knee X-rays.",
        respond_by=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    provider_notices_for_event(event_id=_event(case, CaseEvent.Kind.INFORMATION_REQUESTED).pk)

    assert notification_email_send(notification_id=Notification.objects.get(user=provider).pk)

    body = mail.outbox[0].body
    assert f"/cases/{case.pk}/" in body and case.reference in body
    for phi in (case.member.first_name, case.member.last_name, case.member.member_number, "X-rays", "27447"):
        assert phi not in body, phi


def test_a_decision_and_an_offered_talk_notify_the_office(make_case, nurse, physician, provider):
    talked = make_case()
    peer_to_peer_offer(case_id=talked.pk, actor=physician, phone="410-555-0101")
    decided = make_case()
    case_approve(case_id=decided.pk, actor=nurse)

    provider_notices_for_event(event_id=_event(talked, CaseEvent.Kind.PEER_TO_PEER_UPDATED).pk)
    provider_notices_for_event(event_id=_event(decided, CaseEvent.Kind.DECISION_RECORDED).pk)

    kinds = dict(Notification.objects.filter(user=provider).values_list("case_id", "kind"))
    assert kinds == {talked.pk: "peer_to_peer_offered", decided.pk: "decision_made"}


def test_the_notices_task_is_enqueued_when_the_pend_commits(
    make_case, nurse, provider, django_capture_on_commit_callbacks
):
    case = make_case()
    with tasks_sent() as sent, django_capture_on_commit_callbacks(execute=True):
        case_pend(
            reason_code="PD01", case_id=case.pk, actor=nurse, requested_information="Notes.",
            respond_by=timezone.localdate() + timedelta(days=5),
        )  # fmt: skip

    event = _event(case, CaseEvent.Kind.INFORMATION_REQUESTED)
    assert (PROVIDER_NOTICES_FOR_EVENT, (event.pk,)) in sent
