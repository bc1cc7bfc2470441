"""The provider's worklist and its member-name search read every table through an index.

At a million cases (50,000 of them one office's) a sequential scan of the case, pend,
service-line or peer-to-peer table, or a walk of a whole index, would cost each office's
first page seconds (issue #13). The tables here are small, so the planner is forced to
show whether an index path exists (`enable_seqscan = off`), as in
tests/cases/test_selectors_case_list_plans.py: each query is EXPLAINed as sent.
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import AuthorizationRequest, Member, ServiceLine
from reviews.models import PeerToPeerRequest, Pend
from reviews.selectors_worklist import provider_worklist
from reviews.services.decisions import case_approve
from reviews.services.peer_to_peer import peer_to_peer_offer
from reviews.services.pends import case_pend
from um_portal.roles import user_role

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CASES = AuthorizationRequest._meta.db_table
# The tables the worklist starts from; each grows with the plan's history.
GRANTS = "cases_authorizationrequestgroupobjectpermission"
BIG = (
    CASES,
    GRANTS,
    Pend._meta.db_table,
    ServiceLine._meta.db_table,
    PeerToPeerRequest._meta.db_table,
    Member._meta.db_table,
)
# Partial indexes hold only what the worklist asks for (open talks, approved lines still in
# force): walking one without a condition reads only those rows.
PARTIAL = (
    "p2p_open_requested_idx",
    "line_approved_end_idx",
    "line_req_org_approved_end_idx",
    "line_srv_org_approved_end_idx",
)


def plans(captured) -> list[tuple[str, str]]:
    found = []
    for query in captured:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "(SELECT")):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return found


def unbounded_scans(plan: str) -> list[str]:
    """Scans of a big table that read it in full: a sequential scan, or an index walked
    without a condition (unless the index is partial). Whether the grants are probed per
    row or read for the office's groups as a set is the planner's choice by its estimates
    (tables this small do not show the choice it makes at a million rows)."""
    lines = plan.splitlines()
    bad = []
    for i, line in enumerate(lines):
        if "Scan" not in line or not any(f" on {table}" in line for table in BIG):
            continue
        if "Seq Scan" in line:
            bad.append(line.strip())
            continue
        detail = []
        for following in lines[i + 1 :]:
            if "->" in following:
                break
            detail.append(following)
        if not any("Cond:" in d for d in detail) and not any(name in line for name in PARTIAL):
            bad.append(line.strip())
    return bad


BACKGROUND_CASES = 4000
OTHER_OFFICES = 19


def plan_background(office, nurse):
    """A plan's history in bulk, so the planner sees a table shaped like production's: one
    case in 20 this office's, most decided over the past year (approved lines ending over
    the next one), a few pended, a few talks, mostly closed; then statistics, as autovacuum
    keeps them."""
    from cases.access import ACT_CODENAME, VIEW_CODENAME, case_permission_id
    from cases.models import AuthorizationRequestGroupObjectPermission
    from cases.services.providers import organization_access_group
    from tests.factories import MemberFactory, OrganizationFactory

    now = timezone.now()
    offices = [office, *OrganizationFactory.create_batch(OTHER_OFFICES)]
    members = Member.objects.bulk_create(MemberFactory.build_batch(400))
    cases, lines, pends, talks = [], [], [], []
    for i in range(BACKGROUND_CASES):
        office = offices[i % len(offices)]
        kind = i % 50
        status = "pended" if kind == 0 else "in_review" if kind < 8 else "denied" if kind < 16 else "approved"
        decided = now - timedelta(days=(i * 7) % 365, hours=1) if status in ("denied", "approved") else None
        case = AuthorizationRequest(
            reference=f"UM-BG-{i:06d}", member=members[i % len(members)], coverage=None,
            requesting_organization=office, servicing_organization=office, service_category="imaging",
            status=status, received_at=(decided or now) - timedelta(days=3), decision_due_at=now + timedelta(days=3),
            decided_at=decided,
        )  # fmt: skip
        cases.append(case)
        start = timezone.localdate() - timedelta(days=(i * 7) % 365)
        lines.append(
            ServiceLine(
                case=case,
                line_number=1,
                code_system="CPT",
                code="70551",
                units=1,
                start_date=start,
                end_date=start + timedelta(days=365),
                outcome="approved" if status == "approved" else "",
            )  # fmt: skip
        )
        if kind in (0, 20, 40):  # pended now, or pended once and answered
            pends.append(
                Pend(
                    case=case,
                    requested_information="X",
                    respond_by=start,
                    requested_by=nurse,
                    requested_at=now,
                    responded_at=None if kind == 0 else now,
                )  # fmt: skip
            )
        if kind in (16, 30):  # a talk, long held
            talks.append(
                PeerToPeerRequest(case=case, requested_by=nurse, requested_at=now, phone="1", status="completed")
            )
    AuthorizationRequest.objects.bulk_create(cases)
    view, act = case_permission_id(VIEW_CODENAME), case_permission_id(ACT_CODENAME)
    groups = {office.pk: organization_access_group(organization=office).pk for office in offices}
    AuthorizationRequestGroupObjectPermission.objects.bulk_create(
        AuthorizationRequestGroupObjectPermission(
            content_object=case, group_id=groups[case.requesting_organization_id], permission_id=permission
        )
        for case in cases
        for permission in (view, act)
    )
    ServiceLine.objects.bulk_create(lines)
    Pend.objects.bulk_create(pends)
    PeerToPeerRequest.objects.bulk_create(talks)
    with connection.cursor() as cursor:
        for table in BIG:
            cursor.execute(f'ANALYZE "{table}"')


@pytest.fixture
def office_work(make_case, nurse, physician, ortho, imaging):
    """Something in each section, for this office and for another one, in a plan's history."""
    today = timezone.localdate()
    for organization in (None, imaging):
        extra = {} if organization is None else {
            "requesting_organization": organization, "servicing_organization": organization,
            "requesting_practitioner": None,
        }  # fmt: skip
        pended = make_case(**extra)
        case_pend(
            reason_code="PD01",
            case_id=pended.pk,
            actor=nurse,
            requested_information="X-rays.",
            respond_by=today + timedelta(days=4),
        )
        peer_to_peer_offer(case_id=make_case(**extra).pk, actor=physician, phone="410-555-0101")
        ending = make_case(start_date=today - timedelta(days=20), **extra)
        ending.lines.update(end_date=today + timedelta(days=10))
        case_approve(case_id=ending.pk, actor=nurse)
    plan_background(ortho, nurse)


def test_every_worklist_query_reads_by_index(provider, office_work):
    user_role(provider)  # the role and group ids, read once per request
    with CaptureQueriesContext(connection) as captured:
        worklist = provider_worklist(user=provider)
    assert worklist.pends and worklist.talks and worklist.expiring and worklist.decided
    explained = plans(captured)
    assert len(explained) == 4  # noqa: PLR2004 - pends, talks, expiring, decided
    pends, talks, expiring, decided = (plan for _sql, plan in explained)
    for plan in (pends, talks, expiring, decided):
        assert unbounded_scans(plan) == [], plan
    # Open pends and this week's decisions start from the office's cases, by organization.
    for plan in (pends, decided):
        assert "requesting_organization_id =" in plan and "servicing_organization_id =" in plan, plan
    assert "case_req_org_decided_idx" in decided and "case_srv_org_decided_idx" in decided, decided
    assert "p2p_open_requested_idx" in talks, talks
    # Approvals ending soon start from the office's approved lines ending within the window
    # (partial indexes on the line's copies of its case's organizations and the end date):
    # bounded by the office and the window, not by the plan's lines.
    assert "line_req_org_approved_end_idx" in expiring and "line_srv_org_approved_end_idx" in expiring, expiring
    assert "line_approved_end_idx " not in expiring and "Seq Scan" not in expiring, expiring
    assert "requesting_organization_id =" in expiring and "servicing_organization_id =" in expiring, expiring


def test_line_copies_of_the_case_organizations_follow_inserts_saves_and_case_changes(make_case, imaging):
    # Given a case's lines, written by the intake service (the triggers fill the copies)
    case = make_case()
    rows = lambda: set(  # noqa: E731
        ServiceLine.objects.filter(case=case).values_list("requesting_organization_id", "servicing_organization_id")
    )
    assert rows() == {(case.requesting_organization_id, case.servicing_organization_id)}
    # When a line is saved from a stale instance, then the case's servicer changes
    line = ServiceLine.objects.filter(case=case).first()
    line.requesting_organization_id = line.servicing_organization_id = None
    line.save()
    assert rows() == {(case.requesting_organization_id, case.servicing_organization_id)}
    AuthorizationRequest.objects.filter(pk=case.pk).update(servicing_organization=imaging)
    # Then every line carries the case's organizations as they are now
    assert rows() == {(case.requesting_organization_id, imaging.pk)}


@pytest.mark.parametrize("q", ["marl", "alice marl"])
def test_member_name_search_reads_members_and_cases_by_index(client, provider, make_case, ortho, nurse, q):
    make_case()
    plan_background(ortho, nurse)
    client.force_login(provider)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/cases/", {"q": q}).status_code == 200
    searched = [(sql, plan) for sql, plan in plans(captured) if "LIKE UPPER" in sql]
    assert searched, [c["sql"] for c in captured]
    for sql, plan in searched:
        assert unbounded_scans(plan) == [], f"{sql}\n{plan}"
        assert "member_last_name_prefix_idx" in plan and "member_first_name_prefix_idx" in plan, plan
