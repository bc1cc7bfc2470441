"""The status transition map: every illegal move is refused, every change is evented."""

import pytest

from cases.models import CASE_TRANSITIONS, CaseEvent, CaseStatus
from cases.services.workflow import case_status_set
from um_portal.exceptions import Conflict, InvalidTransition

ALL = [s.value for s in CaseStatus]
ALLOWED = [(a, b) for a in ALL for b in sorted(CASE_TRANSITIONS[a])]
REFUSED = [(a, b) for a in ALL for b in ALL if b not in CASE_TRANSITIONS[a]]


def _force_status(case, status):
    # Test setup only: place the case in a starting state without the service.
    type(case).objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()


def test_every_status_has_an_entry_in_the_map():
    assert set(CASE_TRANSITIONS) == set(ALL)
    assert CASE_TRANSITIONS[CaseStatus.CLOSED] == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_move_changes_status_and_writes_one_event(make_case, nurse, old, new):
    case = make_case()
    _force_status(case, old)
    version = case.version
    before = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS_CHANGED).count()

    case_status_set(case=case, to_status=new, actor=nurse, message="why")

    case.refresh_from_db()
    assert case.status == new
    assert case.version == version + 1
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS_CHANGED)
    assert events.count() == before + 1
    event = events.last()
    assert (event.old_value, event.new_value, event.actor, event.message) == (old, new, nurse, "why")


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_illegal_move_is_refused_and_writes_nothing(make_case, nurse, old, new):
    case = make_case()
    _force_status(case, old)
    events_before = CaseEvent.objects.count()

    with pytest.raises(InvalidTransition):
        case_status_set(case=case, to_status=new, actor=nurse)

    case.refresh_from_db()
    assert case.status == old
    assert CaseEvent.objects.count() == events_before


@pytest.mark.django_db
def test_stale_version_is_a_conflict(make_case, nurse):
    case = make_case()
    stale_version = case.version
    case_status_set(case=case, to_status=CaseStatus.IN_REVIEW, actor=nurse)

    with pytest.raises(Conflict, match="changed by someone else"):
        case_status_set(case=case, to_status=CaseStatus.PENDED, actor=nurse, expected_version=stale_version)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


@pytest.mark.django_db
def test_case_events_are_append_only_in_the_orm(make_case):
    case = make_case()
    event = case.events.first()
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        CaseEvent.objects.filter(case=case).update(message="x")
    with pytest.raises(TypeError, match="append-only"):
        CaseEvent.objects.filter(case=case).delete()
