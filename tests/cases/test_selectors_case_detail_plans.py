"""The case detail (API and pages, provider and staff) reads the case by its primary key,
and every related table by index.

A join of the case with its member, coverage, two organizations, two practitioners,
assignee, extension and authorization (and, for a provider, the permission, group and
membership tables of the grant check) cost 3-5 ms of planning per read at 100,000 cases
for under 0.3 ms of execution (issue #13). So the case is read with what it shows of its
member, coverage, organizations and practitioners joined only when the statement is
prepared (planned once per connection, `um_portal.prepared`); without prepared statements
it reads the case table alone and every related table in a query of its own. Here each
SELECT the detail sends is EXPLAINed as sent, with sequential scans a last resort: the
case table is read by index, and no other query joins more than a few small tables.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.access import VIEW_CODENAME, case_permission_id
from cases.models import AuthorizationRequest
from tests.cases.test_selectors_case_list_plans import assert_no_seq_scan_on_cases
from tests.plans import explain, sent_text

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CASE_TABLE = AuthorizationRequest._meta.db_table
GRANT_TABLE = "cases_authorizationrequestgroupobjectpermission"
# The widest related read: the current decision with who decided, on which license, and
# its coded reason with the catalogue (reviews.selectors.decisions_current).
MOST_TABLES_IN_ONE_QUERY = 5


def relations(plan: str) -> list[str]:
    """The tables a plan reads (one per scan node), but those of its subplans."""
    return [table for table, _scan, in_subplan in scans(plan) if not in_subplan]


def scans(plan: str) -> list[tuple[str, str, bool]]:
    """Each scan node of a plan: (table, the node's line, whether it is inside a SubPlan or
    InitPlan: an EXISTS in the select list, such as the case detail's probes of which
    related tables hold the case's rows, `reviews.selectors._probe_annotations`)."""
    found = []
    subplan_depth = None
    for line in plan.splitlines():
        depth = len(line) - len(line.lstrip())
        if subplan_depth is not None and depth <= subplan_depth:
            subplan_depth = None
        if line.strip().startswith(("SubPlan", "InitPlan")):
            subplan_depth = depth if subplan_depth is None else subplan_depth
        if "Scan" in line and " on " in line and "Bitmap Index Scan" not in line:  # an index, under its heap scan
            found.append((line.split(" on ", 1)[1].split()[0], line.strip(), subplan_depth is not None))
    return found


def joined(plan: str) -> list[str]:
    """The tables a plan joins: a scan under an InitPlan or SubPlan (an EXISTS in the select
    list, as the probes of `reviews.selectors._probe_annotations`) is planned on its own,
    not joined."""
    found = []
    lines = plan.splitlines()
    for i, line in enumerate(lines):
        if "Scan" not in line or " on " not in line or "Bitmap Index Scan" in line:
            continue
        depth = len(line) - len(line.lstrip())
        parent = next((p for p in reversed(lines[:i]) if len(p) - len(p.lstrip()) < depth), "")
        if not parent.strip().startswith(("InitPlan", "SubPlan")):
            found.append(line.split(" on ", 1)[1].split()[0])
    return found


def explained(captured) -> list[tuple[str, str]]:
    plans = []
    for query in captured:
        sql = sent_text(query["sql"])
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plans.append((sql, explain(query["sql"])))
    return plans


# What the case's read joins when its statement is prepared (reviews.selectors.DETAIL_JOINED).
JOINED_WHEN_PREPARED = {"cases_member", "cases_coverage", "cases_providerorganization", "cases_practitioner"}


def assert_detail_plans(captured, *, case_reads: set[str], prepared: bool = True):
    # The case, with the probes of which related tables hold its rows (reviews.selectors.
    # _probe_annotations), one of which asks for change requests made of it (issue 19) by
    # their index; this decided case has none, so they are not read.
    assert_no_seq_scan_on_cases(captured, expect=1)
    plans = explained(captured)
    case_sql, case_plan = next((sql, plan) for sql, plan in plans if f'FROM "{CASE_TABLE}"' in sql)
    case_sent = next(query["sql"] for query in captured if sent_text(query["sql"]) == case_sql)
    # The case by its primary key, for a provider the grant checked on it; prepared, its
    # related rows joined by their keys (planned once per connection), else no join.
    assert case_sent.startswith("EXECUTE ") == prepared
    assert set(relations(case_plan)) == case_reads | (JOINED_WHEN_PREPARED if prepared else set()), case_plan
    assert "Index Scan using cases_authorizationrequest_pkey" in case_plan, case_plan
    assert_probes_by_index(case_plan)
    # The others join few tables, but those prepared (planned once per connection, as the
    # session's user read with their groups and granted permissions, um_portal.user_rows).
    prepared_sql = {sent_text(query["sql"]) for query in captured if query["sql"].startswith("EXECUTE ")}
    for sql, plan in plans:
        if sql != case_sql and sql not in prepared_sql:
            assert len(joined(plan)) <= MOST_TABLES_IN_ONE_QUERY, f"{sql}\n{plan}"


def assert_probes_by_index(plan: str) -> None:
    """Every relation the detail shows is probed in the case's own query, and its diagnoses
    and lines read there when prepared (reviews.selectors.RELATIONS_EMBEDDED), each by an
    index on its case (the planner keeps a hashed alternative it does not run: also by
    index; a bitmap heap scan reads what its bitmap index scan found)."""
    probed = [(table, line) for table, line, in_subplan in scans(plan) if in_subplan]
    assert {table for table, _line in probed} >= {"cases_serviceline", "reviews_decision", CASE_TABLE}, plan
    for _table, line in probed:
        assert "Index" in line or line.startswith("->  Bitmap Heap Scan"), plan


@pytest.fixture
def case(make_case, decided, nurse):
    made = make_case()
    AuthorizationRequest.objects.filter(pk=made.pk).update(assigned_to=nurse)
    decided(made)
    case_permission_id(VIEW_CODENAME)
    return made


def test_provider_api_detail_reads_the_case_by_primary_key(api, provider, case):
    api.as_user(provider)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"/api/v1/authorizations/{case.pk}/").status_code == 200
    assert_detail_plans(captured, case_reads={CASE_TABLE, GRANT_TABLE})


def test_without_prepared_statements_the_detail_reads_the_case_alone_by_primary_key(api, provider, case, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    api.as_user(provider)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"/api/v1/authorizations/{case.pk}/").status_code == 200
    assert_detail_plans(captured, case_reads={CASE_TABLE, GRANT_TABLE}, prepared=False)


def test_staff_api_detail_reads_the_case_by_primary_key(api, nurse, case):
    api.as_user(nurse)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"/api/v1/authorizations/{case.pk}/").status_code == 200
    assert_detail_plans(captured, case_reads={CASE_TABLE})


def test_provider_case_page_reads_the_case_by_primary_key(client, provider, case):
    client.force_login(provider)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert_detail_plans(captured, case_reads={CASE_TABLE, GRANT_TABLE})


def test_review_page_reads_the_case_by_primary_key(client, nurse, case):
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reviews:case", args=[case.pk])).status_code == 200
    assert_no_seq_scan_on_cases(captured, expect=2)  # the case with its probes, the member's prior requests
    case_plan = next(plan for sql, plan in explained(captured) if f'FROM "{CASE_TABLE}"' in sql)
    assert set(relations(case_plan)) == {CASE_TABLE} | JOINED_WHEN_PREPARED, case_plan
    assert_probes_by_index(case_plan)
