"""The referral options query over 50,000 practice locations (issue 20), beside /healthz.

    .venv/bin/python bench/referral_bench.py [LOCATIONS]     (default 50000)

Follows bench/http_bench.py's method: its own database (`um_referral_bench`, or
BENCH_DATABASE_URL), migrated, filled in bulk (bench/http_fill.py's logins and members with
1,000 cases; then LOCATIONS practice locations in INSERT ... SELECTs: 10 per organization,
one cardiologist (NUCC 207RC0000X) at each, so the cardiology question has to rank every
location, the worst case; ZIP centroids drawn from the `zipcodes` data of MD, DC, VA, DE
and PA, 2 % of locations without coordinates, one in seven not accepting new patients;
every organization has a network period (80 % contracted, 10 % plan medical center, 10 %
out of network) and 5 % of practitioners their own; every fifth location offers MRI 70551),
gunicorn with the project's gunicorn.conf.py (DEBUG off, WEB_CONCURRENCY=2), then wrk with
16 connections for ROUND_SECONDS per endpoint, each round beside `/healthz` in the same
round, three rounds; prints the median req/s, the share of `/healthz` and p99. Each request
names a member (number and date of birth): it reads the member and writes its access-log
row, as in production. The database is dropped unless BENCH_KEEP=1.
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

DEFAULT_LOCATIONS = 50_000


def database_url() -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/um_portal"))
    if not base.scheme.startswith("postgres"):
        base = urlparse("postgres://postgres@127.0.0.1:5432/um_portal")
    return urlunparse(base._replace(path="/um_referral_bench"))


FILL = r"""
import sys
sys.path.insert(0, "bench")
from sweep_bench import setup
setup(sys.argv[1])
from django.db import connection
from http_fill import fill
import zipcodes
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
    # Likewise the organization's (fax_only, added after this fill was written).
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
        "'cases_providerorganization' AND is_nullable = 'NO' AND column_default IS NULL"
    )
    for column, kind in cursor.fetchall():
        if kind == "boolean":
            cursor.execute(f'ALTER TABLE cases_providerorganization ALTER COLUMN "{column}" SET DEFAULT false')
world = fill(1000)
n = int(sys.argv[2])
orgs = max(1, n // 10)
region = [z for z in zipcodes.list_all() if z["state"] in ("MD", "DC", "VA", "DE", "PA") and z["lat"]]
zips = [z["zip_code"] for z in region]
lats = [float(z["lat"]) for z in region]
lons = [float(z["long"]) for z in region]
SQL = [
    ("INSERT INTO cases_providerorganization (name, tin, npi, kind, phone, fax, address, state, mfa_required) "
     "SELECT 'Bench Heart ' || g, '990000000', (2000000000 + g)::text, 'practice', '410-555-0100', '', '', 'MD', "
     "false FROM generate_series(1, %s) g", [orgs]),
    ("INSERT INTO cases_practitioner (npi, first_name, last_name, credentials, specialty, organization_id) "
     "SELECT (3000000000 + g)::text, 'Bench', 'Cardiologist ' || g, 'MD', 'Cardiology', o.id "
     "FROM generate_series(1, %s) g "
     "JOIN cases_providerorganization o ON o.npi = (2000000000 + 1 + (g - 1) %% %s)::text", [n, orgs]),
    ("INSERT INTO cases_practitioner_specialties (practitioner_id, specialty_id) "
     "SELECT p.id, s.id FROM cases_practitioner p, cases_specialty s "
     "WHERE p.npi >= '3000000000' AND s.code = '207RC0000X'", []),
    ("INSERT INTO cases_practicelocation (organization_id, code, name, address_line1, address_line2, city, state, "
     "zip_code, phone, accepting_new_patients, latitude, longitude, active) "
     "SELECT p.organization_id, 'site-' || p.npi, '', '1 Bench Way', '', 'Bench', 'MD', z.zip, '410-555-0100', "
     "(p.g %% 7 <> 0), CASE WHEN p.g %% 50 = 0 THEN NULL ELSE z.lat END, "
     "CASE WHEN p.g %% 50 = 0 THEN NULL ELSE z.lon END, true "
     "FROM (SELECT id, npi, organization_id, row_number() OVER (ORDER BY id) AS g FROM cases_practitioner "
     "      WHERE npi >= '3000000000') p, "
     "LATERAL (SELECT (%s::text[])[1 + (p.g * 7919) %% %s] AS zip, (%s::float8[])[1 + (p.g * 7919) %% %s] AS lat, "
     "                (%s::float8[])[1 + (p.g * 7919) %% %s] AS lon) z",
     [zips, len(zips), lats, len(lats), lons, len(lons)]),
    ("INSERT INTO cases_practitionerlocation (practitioner_id, location_id, accepting_new_patients) "
     "SELECT p.id, l.id, true FROM cases_practitioner p "
     "JOIN cases_practicelocation l ON l.code = 'site-' || p.npi", []),
    ("INSERT INTO cases_locationservice (location_id, kind, code, description) "
     "SELECT id, 'imaging', '70551', 'MRI brain' FROM cases_practicelocation WHERE id %% 5 = 0", []),
    ("INSERT INTO cases_networkparticipation (organization_id, status, line_of_business, effective_date, note) "
     "SELECT id, CASE WHEN id %% 10 = 0 THEN 'out_of_network' WHEN id %% 10 = 1 THEN 'plan_medical_center' "
     "ELSE 'contracted' END, '', '2024-01-01', 'bench' FROM cases_providerorganization WHERE npi >= '2000000000'", []),
    ("INSERT INTO cases_networkparticipation (practitioner_id, status, line_of_business, effective_date, note) "
     "SELECT id, 'out_of_network', 'commercial', '2025-01-01', 'bench' FROM cases_practitioner "
     "WHERE npi >= '3000000000' AND id %% 20 = 0", []),
]
with connection.cursor() as cursor:
    for sql, params in SQL:
        cursor.execute(sql, params)
    cursor.execute("SELECT count(*), count(*) FILTER (WHERE latitude IS NULL) FROM cases_practicelocation")
    locations, unmapped = cursor.fetchone()
connection.cursor().execute("VACUUM ANALYZE")
print(f"{locations:,} locations ({unmapped:,} without coordinates), {orgs:,} organizations.")
print(repr(world))
"""


def measure(world: dict, port: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    token = [f"Authorization: Token {world['provider_token']}"]
    member = "member_number=BM0000001&member_date_of_birth=1970-01-01"
    endpoints = {
        "`GET /api/v1/referral-options/?specialty=207RC0000X`": (
            f"{base}/api/v1/referral-options/?specialty=207RC0000X&{member}",
            token,
        ),
        "`GET /api/v1/referral-options/?service_code=70551`": (
            f"{base}/api/v1/referral-options/?service_code=70551&{member}",
            token,
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

    locations = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LOCATIONS
    url = database_url()
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    tmp = Path(tempfile.mkdtemp(prefix="um-referral-bench-"))
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
            [sys.executable, "-c", FILL, url, str(locations)],
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
        else:
            sys.exit(f"gunicorn did not answer /healthz:\n{(tmp / 'gunicorn.log').read_text()[-3000:]}")
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
    print(f"| endpoint | req/s at {locations:,} locations | share of `/healthz` | p99 |")
    print("| --- | --- | --- | --- |")
    for name, f in figures.items():
        share = "1" if name == "/healthz" else f"{100 * f['share']:.1f} %"
        print(f"| {name} | {f['rate']:,.1f} | {share} | {f['p99']:,.0f} ms |")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
