"""Operations dashboard benchmark: does the dashboard answer in under a second at a million
cases with five years of history?

    .venv/bin/python bench/dashboard_bench.py [N]     (default N = 1000000)
    BENCH_REUSE=1 .venv/bin/python bench/dashboard_bench.py [N]   (keep an earlier fill)

Uses its own PostgreSQL database (BENCH_DATABASE_URL's server, database
`um_bench_dashboard`, created and migrated if missing), fills it in bulk with N synthetic
cases received over the last five years (95 % decided, each with its decision row, 5 %
open and due over the next two weeks), rebuilds the rollups once (timed), then times the
dashboard page for 30 days, one year and five years, and `/healthz`, in the same run
through the same in-process client, and prints p50 / p95 per page. Synthetic data only.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import database_url  # noqa: E402
from sweep_bench import database_create_if_missing, setup  # noqa: E402

MAX_N = 2_000_000
ROUNDS = 15


def fill(n: int) -> None:
    from django.db import connection

    from cases.models import LineOfBusiness, Member, ProviderOrganization
    from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory, UserFactory
    from um_portal.roles import Role, user_set_role

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_authorizationrequest, reviews_decision, reviews_casedayrollup, reviews_casemonthrollup, "
            "reviews_reviewerdayrollup, reviews_rollupwatermark, reviews_publishedmetrics CASCADE"
        )
    coverages = []
    for i, (lob, state) in enumerate(
        [
            (LineOfBusiness.COMMERCIAL, "MD"),
            (LineOfBusiness.MEDICARE_ADVANTAGE, "MD"),
            (LineOfBusiness.MEDICAID, "MD"),
            (LineOfBusiness.COMMERCIAL, "VA"),
        ]  # fmt: skip
    ):
        number = f"BENCHD{i:04d}"
        member = Member.objects.filter(member_number=number).first()
        if member is None:
            member = MemberFactory(member_number=number, state=state)
            CoverageFactory(member=member, state=state, line_of_business=lob)
        coverages.append((member.pk, member.coverages.get().pk))
    org = ProviderOrganization.objects.filter(name="Bench Practice").first() or OrganizationFactory(
        name="Bench Practice"
    )
    reviewers = []
    for name in ("bench_nurse1", "bench_nurse2", "bench_physician"):
        user = UserFactory(username=f"{name}_{time.time_ns()}")
        user_set_role(user=user, role=Role.NURSE)
        reviewers.append(user.pk)
    admin = UserFactory(username=f"bench_admin_{time.time_ns()}")
    user_set_role(user=admin, role=Role.ADMIN)
    started = time.perf_counter()
    members = "ARRAY[" + ",".join(str(m) for m, _ in coverages) + "]"
    covs = "ARRAY[" + ",".join(str(c) for _, c in coverages) + "]"
    with connection.cursor() as cursor:
        # Received every ~2.6 minutes over five years; the newest 5 % still open.
        cursor.execute(
            f"""
            INSERT INTO cases_authorizationrequest (
                id, reference, kind, service_category, review_type, urgency, expedited_reason,
                place_of_service, clinical_summary, channel, status, received_at, decision_due_at,
                notice_due_at, decided_at, clocks, version, created_at, updated_at, member_id, coverage_id,
                requesting_organization_id, servicing_organization_id)
            SELECT gen_random_uuid(), 'BENCHD-' || g, 'prior_authorization',
                (ARRAY['imaging','outpatient_procedure','home_health','dme'])[1 + g %% 4], 'prospective',
                CASE WHEN g %% 10 = 0 THEN 'expedited' ELSE 'standard' END, '', '', '', 'api',
                CASE WHEN g > %(n)s * 0.95 THEN 'in_review'
                     ELSE (ARRAY['approved','approved','approved','denied','partially_approved'])[1 + g %% 5] END,
                r.at, r.at + CASE WHEN g %% 10 = 0 THEN interval '72 hours' ELSE interval '14 days' END,
                NULL,
                CASE WHEN g > %(n)s * 0.95 THEN NULL ELSE r.at + (1 + g %% 300) * interval '1 hour' END,
                jsonb_build_array(jsonb_build_object(
                    'rule', (ARRAY['ncqa','federal_ma','md_state','va_state'])[1 + g %% 4])),
                1, now(), now(), ({members})[1 + g %% 4], ({covs})[1 + g %% 4], %(org)s, %(org)s
            FROM generate_series(1, %(n)s) AS g,
                 LATERAL (SELECT now() - interval '1826 days' * (1 - g::float / %(n)s) AS at) AS r
            """,
            {"n": n, "org": org.pk},
        )
        # Open cases due over the next two weeks (the heat map and time left).
        cursor.execute(
            """UPDATE cases_authorizationrequest
                  SET decision_due_at = now() + ((('x' || substr(md5(reference), 1, 6))::bit(24)::int %% 336)
                                         * interval '1 hour'),
                      assigned_to_id = %s
                WHERE status = 'in_review'""",
            [reviewers[0]],
        )
        cursor.execute(
            """
            INSERT INTO reviews_decision (
                case_id, outcome, basis, reason, rationale, decided_by_id, decided_at, is_current, automated)
            SELECT id, status, '', '', '', (%s::int[])[1 + (abs(hashtext(reference)) %% 3)], decided_at, true,
                   status = 'approved' AND abs(hashtext(reference)) %% 3 = 0
              FROM cases_authorizationrequest WHERE decided_at IS NOT NULL
            """,
            [reviewers],
        )
        cursor.execute("ANALYZE")
    print(f"Filled {n:,} cases over five years in {time.perf_counter() - started:.1f} s.")
    return admin


def timed(client, url: str) -> list[float]:
    client.get(url, secure=True)  # warm
    runs = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        runs.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return runs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    if not 1000 <= n <= MAX_N:
        sys.exit(f"N must be between 1,000 and {MAX_N:,}.")
    url = database_url("um_bench_dashboard")
    database_create_if_missing(url)
    setup(url)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MFA_ENFORCED = False  # the bench's synthetic administrator has no second factor
    from django.test import Client
    from django.utils import timezone

    from reviews.reporting.rollups import rollup_rebuild_all

    print(f"Dashboard benchmark, N = {n:,} cases over five years, database {urlparse(url).path.lstrip('/')}")
    from cases.models import AuthorizationRequest
    from tests.factories import UserFactory
    from um_portal.roles import Role, user_set_role

    filled = AuthorizationRequest.objects.filter(reference__startswith="BENCHD-")
    if os.environ.get("BENCH_REUSE") and filled.count() == n:
        # BENCH_REUSE=1: the database was filled and its rollups rebuilt by an earlier run.
        admin = UserFactory(username=f"bench_admin_{time.time_ns()}")
        user_set_role(user=admin, role=Role.ADMIN)
        print(f"Reusing the {n:,} cases and rollups already in the database.")
    else:
        admin = fill(n)
        started = time.perf_counter()
        days = rollup_rebuild_all()
        print(f"Rebuilt the rollups of {days:,} days in {time.perf_counter() - started:.1f} s.")

    client = Client()
    client.force_login(admin)
    today = timezone.localdate()
    pages = {
        "/healthz": "/healthz",
        "dashboard, 30 days": "/reviews/dashboard/",
        "dashboard, 1 year": f"/reviews/dashboard/?start={today.replace(year=today.year - 1)}&end={today}",
        "dashboard, 5 years": f"/reviews/dashboard/?start={today.replace(year=today.year - 5)}&end={today}",
    }
    print(f"{'page':<24}{'p50 ms':>10}{'p95 ms':>10}")
    for label, path in pages.items():
        runs = sorted(timed(client, path))
        p95 = runs[min(len(runs) - 1, int(round(0.95 * (len(runs) - 1))))]
        print(f"{label:<24}{statistics.median(runs) * 1000:>10.1f}{p95 * 1000:>10.1f}")


if __name__ == "__main__":
    main()
