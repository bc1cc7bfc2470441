"""The options query reads the locations near the origin through their latitude/longitude
index, not every location (issue 20's bench: 1.9 s over 50,000 locations when each row's
distance and network status were computed before the sort).

A few thousand locations with a cardiologist at each (the bench's worst case), a handful
near Baltimore: the query sent for the first page is EXPLAINed (ANALYZE) as sent."""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import NetworkParticipation, PracticeLocation, PractitionerLocation, Specialty
from cases.selectors_directory import referral_options, referral_options_queryset, referral_search
from tests.directory_factories import CARDIOLOGY, network
from tests.factories import OrganizationFactory, PractitionerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DAY = date(2026, 6, 1)
FAR = 3000
NEAR = 12
URL = "/api/v1/referral-options/"
LOCATION_TABLE = PracticeLocation._meta.db_table


@pytest.fixture
def directory():
    organization = OrganizationFactory(name="Heart Everywhere")
    network(organization, "contracted")
    cardiologist = PractitionerFactory(organization=organization, specialty="Cardiology")
    cardiologist.specialties.add(Specialty.objects.get(code=CARDIOLOGY))
    # Spread over the lower 48 states (deterministic grid), then a few in Baltimore.
    points = [(25.0 + (i % 60) * 0.4, -124.0 + (i // 60) * 1.1) for i in range(FAR)]
    points += [(39.29 + i * 0.005, -76.61 - i * 0.005) for i in range(NEAR)]
    locations = PracticeLocation.objects.bulk_create(
        PracticeLocation(
            organization=organization,
            code=f"plan-{i}",
            address_line1="1 Test Way",
            city="Testville",
            state="MD",
            zip_code="21201",
            phone="410-555-0100",
            latitude=lat,
            longitude=lon,
        )
        for i, (lat, lon) in enumerate(points)
    )
    PractitionerLocation.objects.bulk_create(
        PractitionerLocation(practitioner=cardiologist, location=location) for location in locations
    )
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{LOCATION_TABLE}"')
        cursor.execute(f'ANALYZE "{PractitionerLocation._meta.db_table}"')


def test_the_first_page_reads_only_the_locations_in_the_box_through_the_index(directory):
    with CaptureQueriesContext(connection) as captured:
        options = referral_options(specialty=CARDIOLOGY, near_zip="21201", on=DAY, limit=10)

    assert len(options) == 10 and all(o.distance_miles <= 10 for o in options)
    [sql] = [q["sql"] for q in captured if f'FROM "{PractitionerLocation._meta.db_table}"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "location_lat_lon_idx" in plan, plan
    assert f"Seq Scan on {LOCATION_TABLE}" not in plan, plan
    # The distance is computed for the rows the box lets through: the Baltimore ones, not 3,000.
    scans = re.findall(r"Index Scan using location_lat_lon_idx.*actual time=\S+ rows=(\d+) loops=(\d+)", plan)
    assert scans and all(int(rows) * int(loops) < 100 for rows, loops in scans), plan


def test_the_whole_directory_reads_the_network_periods_once_not_per_location(directory):
    # No ZIP: every location is ranked. Each organization's and practitioner's status comes
    # from one pass over the periods (a join), not a subquery per location (0.5 to 0.8 s at
    # the bench's 50,000 locations).
    search = referral_search(specialty=CARDIOLOGY, on=DAY)
    sql, params = referral_options_queryset(search)[:10].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "SubPlan" not in plan, plan
    scans = re.findall(rf"Scan .*on {NetworkParticipation._meta.db_table}\b.* loops=(\d+)\)", plan)
    assert len(scans) == 2 and set(scans) == {"1"}, plan


@pytest.mark.parametrize("near_zip", ["21201", "59001", "99501"])
def test_the_windowed_options_are_the_first_of_the_whole_query(directory, near_zip):
    # Baltimore (a page in the first radius), Montana (a sparse grid) and Anchorage (beyond
    # every radius: the whole directory is read).
    search = referral_search(specialty=CARDIOLOGY, near_zip=near_zip, on=DAY)

    options = referral_options(specialty=CARDIOLOGY, near_zip=near_zip, on=DAY, limit=25)

    assert len(options) == 25
    assert [(o.location_id, o.distance_miles) for o in options] == [
        (row["location_pk"], row["distance_miles"]) for row in referral_options_queryset(search)[:25]
    ]


def test_api_cursor_pages_forward_and_back_follow_the_whole_query(api, nurse, directory):
    search = referral_search(specialty=CARDIOLOGY, near_zip="21201", on=DAY)
    whole = [row["location_pk"] for row in referral_options_queryset(search)[:40]]
    api.as_user(nurse)

    with time_machine.travel(DAY, tick=False):
        pages = [api.get(URL, {"specialty": CARDIOLOGY, "near_zip": "21201", "page_size": 8}).json()]
        for _ in range(4):
            pages.append(api.get(pages[-1]["next"]).json())
        back = api.get(pages[-1]["previous"]).json()

    assert [r["location_id"] for page in pages for r in page["results"]] == whole
    assert back["results"] == pages[-2]["results"]
