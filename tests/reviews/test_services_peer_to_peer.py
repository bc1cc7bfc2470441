from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from reviews.models import PeerToPeerRequest
from reviews.services.peer_to_peer import (
    peer_to_peer_attempt_log,
    peer_to_peer_complete,
    peer_to_peer_offer,
    peer_to_peer_schedule,
)
from reviews.services.pends import case_route_to_physician
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed

from .helpers import written

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(make_case, provider):
    case = make_case()
    return PeerToPeerRequest.objects.create(
        case=case,
        requested_by=provider,
        requested_at=timezone.now(),
        preferred_times=["Tue 8-10"],
        phone="410-555-0101",
    )


def test_physician_schedules_logs_voicemail_then_reaches_and_records_outcome(talk, physician):
    when = timezone.now() + timedelta(days=1)

    peer_to_peer_schedule(peer_to_peer_id=talk.pk, actor=physician, scheduled_for=when)
    peer_to_peer_attempt_log(peer_to_peer_id=talk.pk, actor=physician, result="voicemail", note="Left callback number")
    peer_to_peer_attempt_log(peer_to_peer_id=talk.pk, actor=physician, result="reached")
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="upheld", notes="Explained criteria.")

    talk.refresh_from_db()
    assert (talk.status, talk.outcome, talk.physician) == ("completed", "upheld", physician)
    assert list(talk.attempts.values_list("result", flat=True)) == ["voicemail", "reached"]
    messages = list(talk.case.events.filter(kind=CaseEvent.Kind.PEER_TO_PEER_UPDATED).values_list("message", flat=True))
    assert any("voicemail" in m for m in messages) and messages[-1] == "Peer-to-peer completed: decision upheld."


def test_outcome_upheld_needs_a_call_that_reached_the_provider(talk, physician):
    peer_to_peer_attempt_log(peer_to_peer_id=talk.pk, actor=physician, result="no_answer")
    before = written(talk.case)

    with pytest.raises(ValidationFailed):
        peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="changed")

    assert written(talk.case) == before


def test_nurse_cannot_conduct_a_peer_to_peer(talk, nurse):
    before = written(talk.case)

    with pytest.raises(NotAllowed):
        peer_to_peer_attempt_log(peer_to_peer_id=talk.pk, actor=nurse, result="voicemail")

    assert written(talk.case) == before


def test_completed_talk_is_closed(talk, physician):
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="no_contact")
    before = written(talk.case)

    with pytest.raises(Conflict):
        peer_to_peer_attempt_log(peer_to_peer_id=talk.pk, actor=physician, result="reached")

    assert written(talk.case) == before


def test_physician_offers_a_talk_before_deciding_an_open_case(make_case, nurse, physician, ortho):
    ortho.phone = "410-555-0199"
    ortho.save(update_fields=["phone"])
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Needs MD")

    talk = peer_to_peer_offer(case_id=case.pk, actor=physician)

    assert talk.phone == "410-555-0199" and talk.physician == physician and talk.status == "requested"
    before = written(case)
    with pytest.raises(Conflict):
        peer_to_peer_offer(case_id=case.pk, actor=physician)
    assert written(case) == before
