"""Da Vinci PAS benchmark: `POST /fhir/Claim/$submit` of HL7's Homecare example (identifiers
mapped, a new trace number per request) with N existing cases, beside `GET /fhir/metadata`
in the same run, through the whole HTTP stack (middleware, authentication, parsing, intake,
the answer Bundle).

    .venv/bin/python bench/pas_bench.py [N] [REQUESTS]   (default N = 1000000; REQUESTS = 200)

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default: the server of DATABASE_URL,
database `um_bench_pas`, created if missing and migrated), fills N synthetic decided cases
in bulk (INSERT ... SELECT), then prints p50/p95 of each series. The guide asks for an
answer within 15 s; the aim here is p95 under 300 ms. Synthetic data only.
"""

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import database_url  # noqa: E402

MAX_N = 1_000_000
EXAMPLE = "Bundle-HomecareAuthorizationBundleExample.json"


def world(n: int):
    """The bench office, practitioner, member and user, and N decided cases."""
    from django.db import connection

    from cases.models import AuthorizationRequest, Member, ProviderOrganization
    from cases.services.providers import provider_user_attach
    from tests.factories import (
        AgreementFactory,
        CoverageFactory,
        MemberFactory,
        OrganizationFactory,
        PractitionerFactory,
        UserFactory,
        valid_npi,
    )

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_authorizationrequest CASCADE")
    org = ProviderOrganization.objects.filter(name="Bench PAS Office").first()
    if org is None:
        org = OrganizationFactory(name="Bench PAS Office", npi=valid_npi(78_000_001))
        AgreementFactory(organization=org, effective_date=date(2000, 1, 1))
        PractitionerFactory(organization=org, npi=valid_npi(78_000_002))
    member = Member.objects.filter(member_number="BPAS000001").first()
    if member is None:
        member = MemberFactory(member_number="BPAS000001")
        CoverageFactory(member=member, effective_date=date(2000, 1, 1))
    user = UserFactory(username="bench_pas_provider")
    provider_user_attach(user=user, organization=org)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {AuthorizationRequest._meta.db_table} (
                id, reference, kind, service_category, review_type, urgency, expedited_reason,
                place_of_service, clinical_summary, channel, status, received_at, decision_due_at, decided_at,
                clocks, version, created_at, updated_at, member_id, requesting_organization_id,
                servicing_organization_id)
            SELECT gen_random_uuid(), 'BENCH-' || g, 'prior_authorization', 'home_health', 'prospective',
                'standard', '', '11', '', 'fhir', 'approved', now() - interval '30 days',
                now() - interval '20 days', now() - interval '25 days', '[]'::jsonb, 1, now(), now(),
                %(member)s, %(org)s, %(org)s
            FROM generate_series(1, %(n)s) AS g
            """,
            {"member": member.pk, "org": org.pk, "n": n},
        )
        cursor.execute(f"ANALYZE {AuthorizationRequest._meta.db_table}")
    print(f"Filled {n:,} decided cases in {time.perf_counter() - started:.1f} s.")
    return org, member, user


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else MAX_N
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    if not 1 <= n <= MAX_N:
        sys.exit(f"N must be between 1 and {MAX_N:,}.")
    from bench.auto_approval_bench import percentiles, setup

    # The bench measures the server, not the API throttles (600/min per user, 60/min anonymous).
    os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")
    os.environ.setdefault("API_THROTTLE_ANON", "1000000/minute")
    url = database_url("um_bench_pas")
    setup(url)
    from django.test import Client

    from tests.pas.conftest import example, identifiers_mapped

    print(f"PAS benchmark, N = {n:,} existing cases, {count} requests per series")
    org, member, user = world(n)
    practitioner = org.practitioners.first()
    bundle = identifiers_mapped(
        example(EXAMPLE), member_number=member.member_number, office_npi=org.npi, practitioner_npi=practitioner.npi
    )
    client = Client()
    client.force_login(user)
    claim_identifier = bundle["entry"][0]["resource"]["identifier"][0]
    run = int(time.time())

    def submit(index: int):
        claim_identifier["value"] = f"bench-{run}-{index}"  # a new request each time, not a resend
        body = json.dumps(bundle)
        return client.post("/fhir/Claim/$submit", body, content_type="application/fhir+json")

    for index in range(5):  # warm-up
        submit(-index - 1)
    submits, metadata = [], []
    for index in range(count):
        began = time.perf_counter()
        response = submit(index)
        submits.append(time.perf_counter() - began)
        assert response.status_code == 201, response.content[:500]
        began = time.perf_counter()
        answer = client.get("/fhir/metadata")
        metadata.append(time.perf_counter() - began)
        assert answer.status_code == 200
    print(f"{'POST /fhir/Claim/$submit (Homecare)':<40} {percentiles(submits)}  (aim: p95 under 300 ms)")
    print(f"{'GET /fhir/metadata':<40} {percentiles(metadata)}")


if __name__ == "__main__":
    main()
