"""The duplicate check of every submit reads the member's open requests of the requesting
organization first, then their lines by case: never the lines of the service code, which
grow with every request for it (issue #13: 820 lines, 10 ms per submit after a few
minutes of the bench, the statistics not knowing them yet). EXPLAINed as sent, with the
planner forced (tests/cases/test_selectors_case_list_plans.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.services.intake import likely_duplicate_find
from tests.factories import CoverageFactory, MemberFactory
from tests.plans import explain, sent_text

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_check_reads_lines_by_case_not_by_code(make_case, ortho):
    # Given many open requests for one code and date, for other members, and one for ours
    start = timezone.localdate() + timedelta(days=14)
    for _ in range(12):
        make_case(start_date=start)
    member = MemberFactory()
    CoverageFactory(member=member)
    ours = make_case(member=member, start_date=start)
    lines = [{"code": "27447", "start_date": start, "end_date": start}]

    # When the check runs for a new request of that member, code and date
    with CaptureQueriesContext(connection) as captured:
        found = likely_duplicate_find(member=member, requesting_organization=ortho, lines=lines)

    # Then it finds our member's request, and its plan reads the lines by case id only
    assert found.pk == ours.pk
    (query,) = [q["sql"] for q in captured.captured_queries if "cases_serviceline" in sent_text(q["sql"])]
    plan = explain(query, forced=("enable_seqscan", "enable_bitmapscan"))
    line_scans = [line for line in plan.splitlines() if "on cases_serviceline" in line]
    # By the (case, line_number) index: the case's own lines (not the (code, start_date) one).
    assert line_scans and all("using line_number_unique" in line for line in line_scans), plan
    assert "Index Cond: (case_id = c.id)" in plan, plan


def test_another_code_or_dates_that_do_not_overlap_are_no_duplicate(make_case, ortho):
    start = timezone.localdate() + timedelta(days=14)
    member = MemberFactory()
    CoverageFactory(member=member)
    make_case(member=member, start_date=start)

    def check(code, begin, end):
        return likely_duplicate_find(
            member=member, requesting_organization=ortho, lines=[{"code": code, "start_date": begin, "end_date": end}]
        )

    assert check("27447", start, start) is not None
    assert check("27446", start, start) is None
    assert check("27447", start + timedelta(days=1), start + timedelta(days=3)) is None
    assert check("27447", start - timedelta(days=3), start) is not None
