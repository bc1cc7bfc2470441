"""Exactly one letter per case, kind, recipient and event: when generation runs twice, when
a worker dies half-way, and when two workers race for the same letter."""

import threading
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from cases.models import CaseEvent
from notifications.models import Letter, LetterDelivery
from notifications.services.letters import letter_issue, letters_generate_for_event, letters_plan_for_event

pytestmark = pytest.mark.django_db


def _issued_events(case):
    return CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LETTER_ISSUED).count()


def _pdf_files(case) -> list[Path]:
    folder = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "letters" / str(case.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def test_generation_run_twice_issues_each_letter_once(make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")

    first = letters_generate_for_event(event_id=event.pk)
    hashes = {x.pk: x.sha256 for x in first}
    second = letters_generate_for_event(event_id=event.pk)

    assert Letter.objects.filter(case=case).count() == 2
    assert {x.pk: x.sha256 for x in second} == hashes
    assert _issued_events(case) == 2
    assert LetterDelivery.objects.filter(letter__case=case, channel="portal").count() == 1
    assert len(_pdf_files(case)) == 2


def test_worker_dying_after_the_claim_leaves_nothing_and_the_rerun_issues_once(make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")

    # The PDF is written and the row claimed, then the worker dies before the commit.
    with mock.patch("notifications.services.letters.events.event_letter_issued", side_effect=SystemExit("killed")):
        with pytest.raises(SystemExit):
            letters_generate_for_event(event_id=event.pk)

    letters = Letter.objects.filter(case=case)
    assert [x.status for x in letters] == ["pending", "pending"]  # planned; the claim rolled back
    assert _issued_events(case) == 0 and not LetterDelivery.objects.exists()

    letters_generate_for_event(event_id=event.pk)

    assert sorted(Letter.objects.filter(case=case).values_list("status", flat=True)) == ["issued", "issued"]
    assert _issued_events(case) == 2
    # The dead worker's file was replaced, not left beside the issued one.
    assert len(_pdf_files(case)) == 2
    for letter in Letter.objects.filter(case=case):
        from notifications.letters.render import sha256_hex

        assert sha256_hex(Path(letter.pdf.path).read_bytes()) == letter.sha256


def test_issuing_an_issued_letter_does_nothing(make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")
    [letter, _] = letters_generate_for_event(event_id=event.pk)

    assert letter_issue(letter_id=letter.pk) is None
    assert _issued_events(case) == 2


@pytest.mark.postgres
def test_an_issued_letter_cannot_be_changed_in_the_database(make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")
    letter = letters_generate_for_event(event_id=event.pk)[0]

    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM notifications_letter WHERE id = %s", [letter.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_letter_issue_it_once(make_case, decide):
    case = make_case()
    _, event = decide(case, "approved", basis="")
    letters = letters_plan_for_event(event=event)
    target = letters[0].pk
    results, barrier = [], threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            results.append(letter_issue(letter_id=target))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(r is None for r in results) == [False, True]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LETTER_ISSUED).count() == 1
