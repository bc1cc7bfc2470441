"""cases.dispatch: the one way a case fact reaches the apps above cases, after commit."""

import pytest
from django.db import transaction

from cases import dispatch, events
from cases.models import CaseEvent
from notifications.letters.kinds import LETTER_EVENT_KINDS
from notifications.subscribers import letters_enqueue


@pytest.fixture
def heard():
    """A subscriber to notes, registered for the test only."""
    seen: list[int] = []
    dispatch.subscribe(name="test.notes", kinds={CaseEvent.Kind.NOTE_ADDED}, handler=seen.append)
    yield seen
    dispatch.unsubscribe(name="test.notes")


def test_notifications_subscribes_its_letters_at_app_start():
    [letters] = [s for s in dispatch.subscriptions() if s.name == "notifications.letters"]

    assert letters.kinds == LETTER_EVENT_KINDS
    assert letters.handler is letters_enqueue


def test_a_subscriber_hears_its_kind_only_once_the_transaction_commits(
    make_case, nurse, heard, django_capture_on_commit_callbacks
):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        note = events.event_note_added(case=case, actor=nurse, text="Called the office.")
        events.event_withdrawn(case=case, actor=nurse, reason="Not a subscribed kind.")
        assert heard == []  # not before commit

    assert heard == [note.pk]


def test_a_rolled_back_fact_reaches_no_subscriber(make_case, nurse, heard, django_capture_on_commit_callbacks):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            events.event_note_added(case=case, actor=nurse, text="Never happened.")
            raise RuntimeError("roll back")

    assert heard == []
    assert not CaseEvent.objects.filter(message="Never happened.").exists()


def test_registering_twice_under_one_name_keeps_one_subscription(heard):
    dispatch.subscribe(name="test.notes", kinds={CaseEvent.Kind.NOTE_ADDED}, handler=heard.append)

    assert [s.name for s in dispatch.subscriptions()].count("test.notes") == 1
