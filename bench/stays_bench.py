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

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from http_bench import CONNECTIONS, ROUND_SECONDS, ROUNDS, SECRET_KEY, free_port, wrk  # noqa: E402

DEFAULT_STAYS = 50_000


def database_url() -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/um_portal"))
    if not base.scheme.startswith("postgres"):
        base = urlparse("postgres://postgres@127.0.0.1:5432/um_portal")
    return urlunparse(base._replace(path="/um_stays_bench"))


FILL = r"""
import sys
sys.path.insert(0, "bench")
from sweep_bench import setup
setup(sys.argv[1])
from django.db import connection
from http_fill import fill
from cases.models import LengthOfStayNorm
# Columns added to the case since http_fill's INSERT was written (NOT NULL, no database
# default) get one in this throwaway database, by type, so the bulk fill still works.
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
        "'cases_authorizationrequest' AND is_nullable = 'NO' AND column_default IS NULL"
    )
    empty = {"jsonb": "'{}'::jsonb", "character varying": "''", "text": "''", "boolean": "false",
             "integer": "0", "smallint": "0", "bigint": "0"}
    for column, kind in cursor.fetchall():
        if kind in empty and column not in ("id", "reference", "kind", "member_id", "requesting_organization_id",
                                            "servicing_organization_id", "received_at", "decision_due_at"):
            cursor.execute(f'ALTER TABLE cases_authorizationrequest ALTER COLUMN "{column}" SET DEFAULT {empty[kind]}')
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


def measure(world: dict, port: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    endpoints = {
        "concurrent queue page": (f"{base}/reviews/concurrent/", [f"Cookie: sessionid={world['nurse_session']}"]),
        "`GET /api/v1/queues/concurrent/`": (
            f"{base}/api/v1/queues/concurrent/",
            [f"Authorization: Token {world['nurse_token']}"],
        ),
    }
    results = {name: [] for name in ["/healthz", *endpoints]}
    for round_number in range(ROUNDS):
        healthz = wrk(f"{base}/healthz")
        results["/healthz"].append((*healthz, healthz[0]))
        for name, (url, headers) in endpoints.items():
            rate, p99 = wrk(url, headers=headers)
            results[name].append((rate, p99, healthz[0]))
        print(f"  round {round_number + 1} done")
    return {
        name: {
            "rate": statistics.median(r for r, _p, _h in rows),
            "share": statistics.median(r / h if h else 0 for r, _p, h in rows),
            "p99": statistics.median(p for _r, p, _h in rows),
        }
        for name, rows in results.items()
    }


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    from sweep_bench import database_create_if_missing

    stays = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_STAYS
    url = database_url()
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    tmp = Path(tempfile.mkdtemp(prefix="um-stays-bench-"))
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "CACHE_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="um_portal.settings",
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        WEB_CONCURRENCY="2",
        API_THROTTLE_USER="10000000/minute",
        CACHE_URL=redis.replace("redis://", "rediscache://"),
        REDIS_URL=redis,
        CELERY_BROKER_URL=redis,
        MFA_ENFORCED="0",
        STATIC_ROOT=str(tmp / "static"),
        PRIVATE_STORAGE_ROOT=str(tmp / "private"),
        LOG_LEVEL="WARNING",
    )
    database_create_if_missing(url)
    web = None
    try:
        for command in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
            subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *command], env={**env, "DATABASE_URL": url}, cwd=ROOT, check=True
            )
        filled = subprocess.run(  # noqa: S603
            [sys.executable, "-c", FILL, url, str(stays)],
            env={**env, "DATABASE_URL": url},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if filled.returncode:
            sys.exit(f"The fill failed:\n{filled.stdout[-2000:]}\n{filled.stderr[-4000:]}")
        lines = filled.stdout.strip().splitlines()
        print("\n".join(lines[-3:-1]))
        world = eval(lines[-1])  # noqa: S307 - our own fill's printed dict
        port = free_port()
        log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115
        web = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            env={**env, "DATABASE_URL": url, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": ""},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:  # noqa: PLR2004
                        break
            except OSError:
                pass
            time.sleep(0.5)
        time.sleep(5)
        figures = measure(world, port)
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=60)
        if os.environ.get("BENCH_KEEP") != "1":
            import psycopg2

            parsed = urlparse(url)
            conn = psycopg2.connect(
                dbname="postgres",
                user=parsed.username or "postgres",
                password=parsed.password,
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 5432,
            )
            conn.autocommit = True
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')
            conn.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nwrk {CONNECTIONS} connections, {ROUND_SECONDS} s per run, median of {ROUNDS} rounds beside /healthz")
    print(f"| endpoint | req/s at {stays:,} open stays | share of `/healthz` | p99 |")
    print("| --- | --- | --- | --- |")
    for name, f in figures.items():
        share = "1" if name == "/healthz" else f"{100 * f['share']:.1f} %"
        print(f"| {name} | {f['rate']:,.1f} | {share} | {f['p99']:,.0f} ms |")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
