"""The concurrent review queue at 50,000 open stays (issue 19, item 2), beside /healthz.

    .venv/bin/python bench/stays_bench.py [STAYS]     (default 50000)

Follows bench/http_bench.py's method: its own database (`um_stays_bench`, or
BENCH_DATABASE_URL), migrated, filled in bulk (bench/http_fill.py's cases, members and
logins, then one open stay per case in one INSERT ... SELECT: admitted over the last two
weeks, next review dates spread from 3 days ago to 10 days ahead so about a quarter are
due, a length-of-stay norm and a discharge planning note each), gunicorn with the project's
gunicorn.conf.py (DEBUG off, WEB_CONCURRENCY=2), then wrk with 16 connections for
ROUND_SECONDS per endpoint, each round beside `/healthz` in the same round, three rounds;
prints the median req/s, the share of `/healthz` and p99. Every queue request writes its
50 access-log rows, as in production. The database is dropped unless BENCH_KEEP=1.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import bench_one_size  # noqa: E402

DEFAULT_STAYS = 50_000


FILL = r"""
import sys
sys.path.insert(0, "bench")
from sweep_bench import setup
setup(sys.argv[1])
from django.db import connection
from http_fill import fill
from cases.models import LengthOfStayNorm
from _harness import CASE_COLUMNS_FILLED, fill_defaults
# Columns added to the case since http_fill's INSERT was written (NOT NULL, no database
# default) get one in this throwaway database, by type, so the bulk fill still works.
with connection.cursor() as cursor:
    fill_defaults(cursor, "cases_authorizationrequest", skip=CASE_COLUMNS_FILLED)
world = fill(int(sys.argv[2]))
norms = list(LengthOfStayNorm.objects.values_list("pk", flat=True))
with connection.cursor() as cursor:
    cursor.execute(
        '''INSERT INTO cases_inpatientstay (member_id, facility_id, admitted_at, case_id, authorized_days,
               authorized_through, next_review_on, los_norm_id, discharge_planning_notes, discharge_disposition,
               version)
           SELECT c.member_id, c.servicing_organization_id, a.at, c.id, 3, a.at::date + 2,
                  current_date - 3 + (row_number() OVER (ORDER BY c.id))::int %% 14,
                  (%s::int[])[1 + (row_number() OVER (ORDER BY c.id))::int %% %s],
                  '2026-11-30 09:00 ET, Bench Nurse: home with services likely; family meeting Thursday.', '', 1
             FROM cases_authorizationrequest c,
                  LATERAL (SELECT now() - interval '14 days' * random() AS at) a''',
        [norms, len(norms)],
    )
    cursor.execute("SELECT count(*), count(*) FILTER (WHERE next_review_on <= current_date) FROM cases_inpatientstay")
    stays, due = cursor.fetchone()
connection.cursor().execute("VACUUM ANALYZE")
print(f"{stays:,} open stays, {due:,} due today or overdue.")
print(repr(world))
"""


def endpoints(world: dict, base: str) -> dict:
    return {
        "concurrent queue page": (f"{base}/reviews/concurrent/", [f"Cookie: sessionid={world['nurse_session']}"]),
        "`GET /api/v1/queues/concurrent/`": (
            f"{base}/api/v1/queues/concurrent/",
            [f"Authorization: Token {world['nurse_token']}"],
        ),
    }


def main() -> None:
    stays = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_STAYS
    bench_one_size(
        name="stays",
        redis="redis://127.0.0.1:6379/13",
        fill=FILL,
        size=stays,
        endpoints=endpoints,
        column=f"req/s at {stays:,} open stays",
    )


if __name__ == "__main__":
    main()
