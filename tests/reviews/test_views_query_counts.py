"""Pinned query counts: the queues and the review page cost the same with 5 or 500 cases."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AuthorizationRequest, ServiceLine
from reviews.models import Appeal, Decision

pytestmark = pytest.mark.django_db


def bulk_cases(template, n: int, *, status="in_review", assigned_to=None):
    """n cheap copies of `template` (bulk insert), each with one line, due one minute apart."""
    now = timezone.now()
    cases = AuthorizationRequest.objects.bulk_create(
        [
            AuthorizationRequest(
                reference=f"UM-BULK-{i:06d}-{status[:2]}",
                member=template.member,
                coverage=template.coverage,
                requesting_organization=template.requesting_organization,
                servicing_organization=template.servicing_organization,
                requesting_practitioner=template.requesting_practitioner,
                service_category=template.service_category,
                status=status,
                received_at=now,
                decision_due_at=now + timedelta(minutes=i + 1),
                assigned_to=assigned_to,
            )
            for i in range(n)
        ]
    )
    line = template.lines.get()
    ServiceLine.objects.bulk_create(
        [
            ServiceLine(
                case=c,
                line_number=1,
                code_system="CPT",
                code="27447",
                units=1,
                start_date=line.start_date,
                end_date=line.end_date,
            )  # fmt: skip
            for c in cases
        ]
    )
    return cases


# Queue page, per request:
#  1 session, 2 the user with their groups and granted permissions (role, whether a UM
#  supervisor; um_portal.auth_backends), 3 the queue page (one keyset query on the case
#  table, no joins, each row's service lines as JSON: codes and descriptions, issue 22 item
#  5), 4 its members, coverages, requesting organizations and assignees, by id in one
#  statement (cases.selectors.related_values_attach), 5 access log (one bulk insert for the
#  page's rows), 6 reviewers for the assignee filter, 7 unread notifications (nav), 8-10 the
#  session saved (SessionRenewMiddleware: a first request after a sign-in). A supervisor's
#  page adds one: the reviewers' open load (SUPERVISOR_QUEUE_QUERIES).
SESSION_SAVE = 3
QUEUE_QUERIES = 7 + SESSION_SAVE
SUPERVISOR_QUEUE_QUERIES = QUEUE_QUERIES + 1


@pytest.mark.parametrize("n", [5, 500])
def test_nurse_queue_query_count_is_constant(client, make_case, nurse, n, django_assert_num_queries):
    template = make_case()
    bulk_cases(template, n, assigned_to=nurse)
    client.force_login(nurse)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("reviews:nurse_queue"))

    assert response.status_code == 200 and response.content.decode().count("UM-BULK-") == min(n, 50)


@pytest.mark.parametrize("n", [5, 500])
def test_supervisor_queue_with_load_panel_query_count_is_constant(
    client, make_case, nurse, nurse2, physician, n, django_assert_num_queries
):
    from um_portal.roles import user_set_supervisor

    template = make_case()
    bulk_cases(template, n, assigned_to=nurse2)
    user_set_supervisor(user=nurse)
    client.force_login(nurse)

    with django_assert_num_queries(SUPERVISOR_QUEUE_QUERIES):
        response = client.get(reverse("reviews:nurse_queue"))

    page = response.content.decode()
    assert response.status_code == 200 and page.count('name="case"') == min(n + 1, 50)
    assert 'id="load-nurse2"' in page


@pytest.mark.parametrize("n", [5, 500])
def test_physician_queue_query_count_is_constant(client, make_case, physician, n, django_assert_num_queries):
    template = make_case()
    bulk_cases(template, n, status="physician_review")
    client.force_login(physician)

    with django_assert_num_queries(QUEUE_QUERIES):  # nobody assigned: the same statement
        response = client.get(reverse("reviews:physician_queue"), {"urgency": "standard"})

    assert response.status_code == 200 and "UM-BULK-" in response.content.decode()


# API queue: 1 role (groups), 2 page query (case table only), 3 members, organizations and
# practitioners by id in one statement, 4 access log insert (the API client authenticates
# without a session).
@pytest.mark.parametrize("n", [5, 500])
def test_api_nurse_queue_query_count_is_constant(api, make_case, nurse, n, django_assert_num_queries):
    template = make_case()
    bulk_cases(template, n)
    client = api.as_user(nurse)

    with django_assert_num_queries(4):
        response = client.get("/api/v1/queues/nurse/")

    assert response.status_code == 200 and len(response.json()["results"]) == min(n + 1, 50)


# Review page: one line per query, pinned as a number so an N+1 fails.
REVIEW_QUERIES = [
    # the case by id, with the probes of which related tables hold the case's rows
    # (reviews.selectors._probe_annotations): only those are read; this new case has
    # diagnoses, lines and a peer-to-peer talk, and events; its member, coverage,
    # organizations and practitioners joined and its diagnoses, lines and events with their
    # actors as JSON (prepared: planned once per connection); nobody assigned: no assignee
    "session", "the user with their groups (role)",
    "case (by id, its related tables' probes, member and providers joined, diagnoses, lines, events+actors)",
    "peer-to-peers (case detail)",
    "access log insert", "criteria in force", "reviewers (with is_physician)", "physician licenses",
    "peer-to-peers with requesters", "their attempts", "attempt callers", "prior requests", "their lines",
    "reason codes in use (one query, catalogue as a subquery)",
    "worksheet drafts on the case (their answers are read only when there are drafts)",
    "contact lines", "their hours", "their alternate phones", "their inquiries", "plan closures",
    "the user's notices of this case marked read", "unread notifications (nav)",
    "session save: savepoint", "update", "release",
]  # fmt: skip


@pytest.mark.parametrize("n", [5, 500])
def test_review_page_query_count_is_constant(
    client, make_case, physician, physician2, nurse, nurse2, provider, n, django_assert_num_queries
):
    from reviews.models import PeerToPeerAttempt, PeerToPeerRequest
    from tests.reviews.helpers import knee_criteria

    knee_criteria()
    template = make_case()
    bulk_cases(template, n)  # same member: many prior requests, one page of them shown
    talk = PeerToPeerRequest.objects.create(
        case=template, requested_by=provider, requested_at=timezone.now(), phone="1"
    )
    for by in (physician, physician2):
        PeerToPeerAttempt.objects.create(peer_to_peer=talk, at=timezone.now(), by=by, result="voicemail")
    client.force_login(physician)

    with django_assert_num_queries(len(REVIEW_QUERIES)):
        response = client.get(reverse("reviews:case", args=[template.pk]))

    assert response.status_code == 200


# Appeals queue: 1 session, 2 the user with their groups (role), 3 page (with the involvement
# flag), 4 access log, 5 unread notifications (nav), then the session save.
@pytest.mark.parametrize("n", [5, 500])
def test_appeal_queue_query_count_is_constant(client, make_case, physician, nurse, provider, n,
                                              django_assert_num_queries):  # fmt: skip
    template = make_case()
    cases = bulk_cases(template, n, status="denied")
    now = timezone.now()
    decisions = Decision.objects.bulk_create(
        [
            Decision(case=c, outcome="denied", basis="benefit", reason="r", decided_by=nurse, decided_at=now)
            for c in cases
        ]
    )
    Appeal.objects.bulk_create(
        [
            Appeal(
                case=d.case,
                decision_appealed=d,
                reason="r",
                filed_by=provider,
                filed_at=now,
                due_at=now + timedelta(days=30),
            )
            for d in decisions
        ]  # fmt: skip
    )
    client.force_login(physician)

    with django_assert_num_queries(5 + SESSION_SAVE):
        response = client.get(reverse("reviews:appeals"))

    assert response.status_code == 200 and response.content.decode().count("UM-BULK-") == min(n, 50)


def test_a_later_queue_page_shows_its_cases_lines_in_as_many_queries(client, make_case, nurse):
    # The later pages are not compiled once (a cursor): their rows carry their lines too
    # (issue #13), in the same number of statements as the first page.
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bulk_cases(make_case(), 60)
    client.force_login(nurse)
    client.get(reverse("reviews:nurse_queue"))  # the session's first save
    with CaptureQueriesContext(connection) as first:
        page = client.get(reverse("reviews:nurse_queue")).content.decode()
    cursor = re.search(r'cursor=([^"&]+)">Later due', page).group(1)

    with CaptureQueriesContext(connection) as later:
        html = client.get(reverse("reviews:nurse_queue"), {"cursor": cursor}).content.decode()

    body = html[html.index("<tbody>", html.index('id="queue"')) : html.index("</tbody>", html.index('id="queue"'))]
    rows = body.split("<tr>")[1:]
    assert len(rows) == 11 and all('<span class="muted">CPT 27447</span>' in row for row in rows)  # 61 cases
    assert "UM-BULK-000059" in html and "UM-BULK-000000" not in html
    assert len(later) == len(first)
