import pytest
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus
from reviews.models import Decision, PeerToPeerAttempt, PeerToPeerRequest
from reviews.services.decisions import case_decision_revise, case_deny
from reviews.services.peer_to_peer import peer_to_peer_complete
from reviews.services.pends import case_route_to_physician
from um_portal.exceptions import Conflict, NotAllowed

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def denied(make_case, nurse, physician):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    case_deny(case_id=case.pk, actor=physician, basis="medical_necessity", reason="Only 4 weeks of PT.",
              reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD)  # fmt: skip
    return case


def _talk(case, provider, physician, outcome):
    talk = PeerToPeerRequest.objects.create(case=case, requested_by=provider, requested_at=timezone.now(), phone="1")
    PeerToPeerAttempt.objects.create(peer_to_peer=talk, at=timezone.now(), by=physician, result="reached")
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome=outcome)
    return talk


def test_talk_that_changed_the_decision_lets_the_physician_approve(denied, provider, physician):
    _talk(denied, provider, physician, "changed")

    decision = case_decision_revise(
        case_id=denied.pk, actor=physician, outcome="approved", reason="The surgeon described 14 weeks of PT.",
        password=PASSWORD,
    )  # fmt: skip

    denied.refresh_from_db()
    assert denied.status == CaseStatus.APPROVED and decision.is_current
    assert Decision.objects.filter(case=denied).count() == 2
    assert list(denied.lines.values_list("approved_units", "outcome")) == [(1, "approved")]
    assert denied.events.filter(kind=CaseEvent.Kind.DECISION_RECORDED).count() == 2


def test_no_revision_without_a_talk_that_changed_it(denied, provider, physician, physician2):
    _talk(denied, provider, physician, "upheld")
    before = written(denied)
    with pytest.raises(NotAllowed):
        case_decision_revise(case_id=denied.pk, actor=physician, outcome="approved", reason="r", password=PASSWORD)
    assert written(denied) == before

    _talk(denied, provider, physician, "changed")
    before = written(denied)
    with pytest.raises(NotAllowed):  # physician2 did not hold the talk
        case_decision_revise(case_id=denied.pk, actor=physician2, outcome="approved", reason="r", password=PASSWORD)
    assert written(denied) == before


def test_nurse_cannot_revise_and_an_open_case_has_nothing_to_revise(make_case, denied, nurse, physician, provider):
    before = written(denied)
    with pytest.raises(NotAllowed):
        case_decision_revise(case_id=denied.pk, actor=nurse, outcome="approved", reason="r", password=PASSWORD)
    assert written(denied) == before

    open_case = make_case()
    _talk(open_case, provider, physician, "changed")
    with pytest.raises(Conflict):
        case_decision_revise(case_id=open_case.pk, actor=physician, outcome="approved", reason="r", password=PASSWORD)


def test_no_revision_while_an_appeal_is_open(denied, provider, physician):
    from reviews.services.provider_requests import appeal_file

    _talk(denied, provider, physician, "changed")
    appeal_file(case=denied, user=provider, reason="Please look again.", expedited=False)
    before = written(denied)

    with pytest.raises(Conflict, match="open appeal"):
        case_decision_revise(case_id=denied.pk, actor=physician, outcome="approved", reason="r", password=PASSWORD)

    assert written(denied) == before
