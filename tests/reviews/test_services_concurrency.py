"""Two reviewers deciding one case at the same moment: exactly one wins, the other gets a
409 (Conflict) and nothing of theirs is written. Needs PostgreSQL row locks."""

import threading
import time

import pytest
from django.db import connection

from cases.models import CaseEvent
from reviews.models import Decision
from reviews.services import decisions
from reviews.services.decisions import case_approve, case_deny
from um_portal.exceptions import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_reviewers_deciding_at_once_exactly_one_succeeds(make_case, nurse, nurse2, monkeypatch):
    case = make_case()
    # Hold the lock a moment after taking it, so the other thread really arrives while it is held.
    original = decisions.require_open

    def slow_require_open(case, *, actor):
        time.sleep(0.3)
        return original(case, actor=actor)

    monkeypatch.setattr(decisions, "require_open", slow_require_open)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name, action):
        try:
            barrier.wait()
            results[name] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects which one failed
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("approve", lambda: case_approve(case_id=case.pk, actor=nurse))),
        threading.Thread(
            target=run,
            args=(
                "deny",
                lambda: case_deny(
                    reason_code="BN01", case_id=case.pk, actor=nurse2, basis="benefit", reason="Excluded."
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["Conflict", "Decision"], results
    winner = next(r for r in results.values() if isinstance(r, Decision))
    loser = next(r for r in results.values() if isinstance(r, Conflict))
    assert "already" in loser.message
    case.refresh_from_db()
    assert case.status == winner.outcome
    assert Decision.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DECISION_RECORDED).count() == 1
