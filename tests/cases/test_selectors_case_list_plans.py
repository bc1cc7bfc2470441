"""Every list query reaches the case table through an index, whatever its filter.

At a million cases a sequential scan of the case table takes 1.3-1.6 s (issue #13). Here
the table is small, so the planner is forced to show whether an index path exists at all
(`enable_seqscan = off` only makes a sequential scan the last resort): each query the
list endpoints send is EXPLAINed as sent, and no plan may read the case table in full.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import AuthorizationRequest
from tests.plans import explain, sent_text

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CASE_TABLE = AuthorizationRequest._meta.db_table


def case_table_plans(captured, *, forced=("enable_seqscan",)) -> list[tuple[str, str]]:
    """(sql, plan) for every SELECT of the captured queries that reads the case table, with
    the `forced` planner methods off (last resorts only)."""
    plans = []
    for query in captured:
        sql = sent_text(query["sql"])
        if not sql.lstrip().upper().startswith(("SELECT", "(SELECT")) or f'"{CASE_TABLE}"' not in sql:
            continue
        plans.append((sql, explain(query["sql"], forced=forced)))
    return plans


def assert_no_seq_scan_on_cases(captured, *, expect: int = 1):
    plans = case_table_plans(captured)
    assert len(plans) >= expect, [q["sql"] for q in captured]
    for sql, plan in plans:
        assert f"Seq Scan on {CASE_TABLE}" not in plan, f"{sql}\n{plan}"
    return plans


def scans_without_condition(plan: str) -> list[str]:
    """Scan nodes on the case table that walk a whole index (no Index Cond): at a million
    rows such a scan under a selective filter reads most of the table."""
    lines = plan.splitlines()
    bare = []
    for i, line in enumerate(lines):
        if f" on {CASE_TABLE}" not in line or "Scan" not in line:
            continue
        detail = []
        for following in lines[i + 1 :]:
            if "->" in following:
                break
            detail.append(following)
        if not any("Cond:" in d for d in detail):
            bare.append(line.strip())
    return bare


@pytest.fixture
def cases(make_case, imaging, nurse):
    made = [make_case() for _ in range(4)]
    made.append(make_case(servicing_organization=imaging))
    AuthorizationRequest.objects.filter(pk=made[0].pk).update(assigned_to=nurse)
    return made


FILTERS = [
    {},
    {"status": "received"},
    {"urgency": "expedited"},
    {"service_category": "imaging"},
    {"member_number": "M0000001"},
    {"due_before": (timezone.now() + timedelta(days=3)).isoformat()},
    {"assigned_to": "me"},
    {"assigned_to": "nurse"},
]


PROVIDER_FILTERS = [p for p in FILTERS if p.get("assigned_to") != "nurse"]  # providers may not filter by reviewer


@pytest.mark.parametrize("params", PROVIDER_FILTERS, ids=lambda p: ",".join(p) or "none")
def test_provider_list_reads_the_case_table_by_index_with_every_filter(api, provider, cases, params):
    api.as_user(provider)
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/api/v1/authorizations/", params).status_code == 200
    plans = assert_no_seq_scan_on_cases(captured)
    for _sql, plan in plans:
        # Every read of the case table is bounded by the organization (or the member).
        assert scans_without_condition(plan) == [], plan
    if not params:
        # The two organization indexes, each read newest first and stopped after a page:
        # with sorting a last resort too, the planner shows that such a path exists (on a
        # table this small it may prefer reading everything and sorting; at 1M it does not).
        [(_sql, plan)] = case_table_plans(captured, forced=("enable_seqscan", "enable_bitmapscan", "enable_sort"))
        assert plan.count("Index Scan Backward") == 2, plan
        assert "requesting_organization_id =" in plan and "servicing_organization_id =" in plan, plan


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: ",".join(p) or "none")
def test_staff_list_reads_the_case_table_by_index_with_every_filter(api, nurse, cases, params):
    api.as_user(nurse)
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/api/v1/authorizations/", params).status_code == 200
    assert_no_seq_scan_on_cases(captured)


def test_second_page_of_the_provider_list_reads_by_index(api, provider, make_case):
    for _ in range(27):
        make_case()
    api.as_user(provider)
    first = api.get("/api/v1/authorizations/").json()
    with CaptureQueriesContext(connection) as captured:
        second = api.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert_no_seq_scan_on_cases(captured)
    back = api.get(second["previous"]).json()
    assert [c["id"] for c in back["results"]] == [c["id"] for c in first["results"]]


QUEUE_FILTERS = [
    {},
    {"urgency": "expedited"},
    {"service_category": "imaging"},
    {"status": "received"},
    {"assignee": "me"},
    {"assignee": "none"},
    {"assignee": "nurse"},
    {"line_of_business": "commercial"},
    {"due": "soon"},
]


@pytest.mark.parametrize("params", QUEUE_FILTERS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "none")
@pytest.mark.parametrize("url", ["/api/v1/queues/nurse/", "/api/v1/queues/physician/"])
def test_queues_read_the_case_table_by_index_with_every_filter(api, nurse, physician, cases, url, params):
    api.as_user(physician if "physician" in url else nurse)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url, params).status_code == 200
    plans = assert_no_seq_scan_on_cases(captured)
    # The page query reads only the case table (and a filter's table): no eight-table join.
    assert all(plan.count(" Join") <= 1 for _sql, plan in plans), plans
