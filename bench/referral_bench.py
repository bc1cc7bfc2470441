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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import bench_one_size  # noqa: E402

DEFAULT_LOCATIONS = 50_000


FILL = r"""
import sys
sys.path.insert(0, "bench")
from sweep_bench import setup
setup(sys.argv[1])
from django.db import connection
from http_fill import fill
import zipcodes
from _harness import CASE_COLUMNS_FILLED, fill_defaults
# Columns added to the case and the organization since http_fill's INSERTs were written
# (NOT NULL, no database default) get one in this throwaway database, so the fill still works.
with connection.cursor() as cursor:
    fill_defaults(cursor, "cases_authorizationrequest", skip=CASE_COLUMNS_FILLED)
    fill_defaults(cursor, "cases_providerorganization", ["boolean"])
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


def endpoints(world: dict, base: str) -> dict:
    token = [f"Authorization: Token {world['provider_token']}"]
    member = "member_number=BM0000001&member_date_of_birth=1970-01-01"
    return {
        "`GET /api/v1/referral-options/?specialty=207RC0000X`": (
            f"{base}/api/v1/referral-options/?specialty=207RC0000X&{member}",
            token,
        ),
        "`GET /api/v1/referral-options/?service_code=70551`": (
            f"{base}/api/v1/referral-options/?service_code=70551&{member}",
            token,
        ),
    }


def main() -> None:
    locations = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LOCATIONS
    bench_one_size(
        name="referral",
        redis="redis://127.0.0.1:6379/9",
        fill=FILL,
        size=locations,
        endpoints=endpoints,
        column=f"req/s at {locations:,} locations",
    )


if __name__ == "__main__":
    main()
