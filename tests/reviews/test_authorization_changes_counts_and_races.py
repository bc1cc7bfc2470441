"""Issue 19, item 3: two offices asking at once (one wins, the other 409, nothing of theirs
written), and the pinned query counts of the queue with change requests and of the case
that lists its versions and changes."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import AuthorizationRequest
from cases.services.providers import provider_user_attach
from reviews.models import Authorization
from reviews.services import authorization_changes, authorizations
from reviews.services.authorization_changes import authorization_change_request
from reviews.services.decisions import case_approve
from tests.factories import UserFactory
from um_portal.exceptions import Conflict

from .test_views_query_counts import QUEUE_QUERIES

# The provider's case API (reviews.selectors.case_detail(for_api=True): the case read with
# the probes of which related tables hold its rows, its member, coverage, organizations and
# practitioners joined and its diagnoses, lines and events (with actors) as JSON
# (prepared), the other rows by case id): 1 the case, 2 current decisions, 3 their
# criteria, 4 the authorization, 5 its lines, 6 its servicing organization, 7 its versions
# (with decision and change request), 8 change requests; 9 the access-log insert; 10 the
# caller's role (the serializer asks it once). The same for 1 or 6 changes.
DETAIL_QUERIES = 10


def _authorized(make_case, nurse) -> Authorization:
    start = timezone.localdate() + timedelta(days=3)
    case = make_case(
        lines=[{"code_system": "CPT", "code": "97110", "units": 10, "start_date": start,
                "end_date": start + timedelta(days=30)}]
    )  # fmt: skip
    case_approve(case_id=case.pk, actor=nurse)
    return Authorization.objects.get(case=case)


def _changes(authorization, provider, nurse, n: int) -> list:
    """n decided change requests and one open: versions and changes to list."""
    made = []
    for i in range(n):
        change = authorization_change_request(
            case_id=authorization.case_id, user=provider, kind="add_units", lines=[{"line": 1, "units": 1}],
            reason=f"More {i}.",
        )  # fmt: skip
        if i < n - 1:
            case_approve(case_id=change.pk, actor=nurse)
        made.append(change)
    return made


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_offices_asking_at_once_one_wins_the_other_gets_409(make_case, nurse, provider, ortho, monkeypatch):
    authorization = _authorized(make_case, nurse)
    colleague = UserFactory(username="colleague")
    provider_user_attach(user=colleague, organization=ortho)
    original = authorization_changes.authorization_change_check

    def slow_check(*, actor, case):
        time.sleep(0.3)  # the other request arrives while the case row is locked
        return original(actor=actor, case=case)

    monkeypatch.setattr(authorization_changes, "authorization_change_check", slow_check)
    barrier = threading.Barrier(2)
    results: dict = {}

    def run(user):
        try:
            barrier.wait()
            results[user.username] = authorization_change_request(
                case_id=authorization.case_id, user=user, kind="add_units", lines=[{"line": 1, "units": 2}],
                reason="More visits.",
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the test inspects which one failed
            results[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (provider, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["AuthorizationRequest", "Conflict"], results
    loser = next(r for r in results.values() if isinstance(r, Conflict))
    assert loser.code == "change_open" and loser.status_code == 409
    assert AuthorizationRequest.objects.filter(change_of_id=authorization.case_id).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 6])
def test_case_detail_with_versions_and_changes_query_count_is_constant(
    api, make_case, nurse, provider, n, django_assert_num_queries
):
    authorization = _authorized(make_case, nurse)
    _changes(authorization, provider, nurse, n)
    client = api.as_user(provider)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"/api/v1/authorizations/{authorization.case_id}/")

    block = response.json()["authorization"]
    assert len(block["versions"]) == n and len(block["change_requests"]) == n


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 6])
def test_nurse_queue_with_change_requests_query_count_is_constant(
    client, make_case, nurse, provider, n, django_assert_num_queries
):
    authorization = _authorized(make_case, nurse)
    _changes(authorization, provider, nurse, n)
    client.force_login(nurse)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("reviews:nurse_queue"))

    assert response.content.decode().count("Change: Add units or visits") == 1  # the open one


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_units_imported_while_the_office_cancels_the_line_both_finish_without_deadlock(
    make_case, nurse, provider, admin_user, monkeypatch
):
    # Given an authorization with one line
    authorization = _authorized(make_case, nurse)
    line = authorization.lines.get()
    imported = threading.Event()
    original = authorizations._use_events_write

    def slow_events(**kwargs):  # the import holds its locks a moment, longer than deadlock_timeout
        imported.set()
        time.sleep(1.0)
        return original(**kwargs)

    monkeypatch.setattr(authorizations, "_use_events_write", slow_events)
    results: dict = {}

    def run(name, action):
        try:
            if name == "office":
                assert imported.wait(timeout=20)
            results[name] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects which one failed
            results[name] = exc
        finally:
            connection.close()

    csv_text = f"authorization_number,line,units,date\n{authorization.number},1,2,{line.start_date.isoformat()}\n"
    actions = {
        "claims": lambda: authorizations.authorization_units_import(text=csv_text, actor=admin_user),
        "office": lambda: authorization_change_request(
            case_id=authorization.case_id, user=provider, kind="cancel_lines", lines=[{"line": 1}], reason="Done."
        ),
    }
    threads = [threading.Thread(target=run, args=item) for item in actions.items()]

    # When claims are imported while the office cancels the line
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then both finish (no deadlock): the use is recorded, then the line cancelled
    assert results["claims"] == 1 and not isinstance(results["office"], Exception), results
    line.refresh_from_db()
    assert (line.units_used, line.cancelled_at is not None) == (2, True)
