"""Bulk fill for the HTTP benchmark (bench/http_bench.py, issue #13): N open cases in
`generate_series` statements, one in 20 of them (50,000 at a million) one provider office's,
with the object-permission rows the portal writes (view and act for the requesting
organization's access group), one service line each, members with coverage, and the
logins the benchmark uses (a provider of the office and a nurse, with API tokens and a
signed-in session). Synthetic data only.

    .venv/bin/python bench/http_fill.py N        (database: BENCH_DATABASE_URL or um_perf_bench)

Prints a line with what it filled, then a dict (tokens, a case id, NPIs) for the benchmark.
"""

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import database_url  # noqa: E402
from sweep_bench import database_create_if_missing, setup  # noqa: E402

OFFICE_EVERY = 20  # one case in 20 is the office's: 50,000 at a million (issue #13)
OTHER_ORGANIZATIONS = 19
MEMBER_DOB = date(1970, 1, 1)


def members_for(n: int) -> int:
    return max(1_000, n // 10)


def fill(n: int) -> dict:
    """Empty the case tables and fill N cases; returns what the benchmark needs."""
    from django.contrib.auth.models import Permission
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from cases.models import ProviderAgreement, ProviderOrganization
    from cases.services.providers import organization_access_group, provider_user_attach
    from tests.factories import OrganizationFactory, PractitionerFactory, UserFactory
    from um_portal.models import User
    from um_portal.roles import Role, user_set_role

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_authorizationrequest, cases_member, automation_ruleevaluation, um_portal_accesslog, "
            "cases_authorizationrequestgroupobjectpermission, cases_serviceline, cases_diagnosis, "
            "cases_caseevent CASCADE"
        )
    organizations = list(ProviderOrganization.objects.filter(name__startswith="Bench org").order_by("pk"))
    for i in range(len(organizations), OTHER_ORGANIZATIONS + 1):
        organizations.append(OrganizationFactory(name=f"Bench org {i:02d}"))
    office = organizations[0]
    for organization in organizations:
        organization_access_group(organization=organization)
        if not organization.agreements.exists():
            ProviderAgreement.objects.create(organization=organization, effective_date=date(2020, 1, 1))
    surgeon = office.practitioners.first() or PractitionerFactory(organization=office)

    def login(username, role):
        user = User.objects.filter(username=username).first() or UserFactory(username=username)
        user_set_role(user=user, role=role)
        return user

    provider = login("bench_provider", Role.PROVIDER)
    provider_user_attach(user=provider, organization=office)
    nurse = login("bench_nurse", Role.NURSE)
    tokens = {u.username: Token.objects.get_or_create(user=u)[0].key for u in (provider, nurse)}
    session = SessionStore()
    session.update(
        {
            "_auth_user_id": str(nurse.pk),
            "_auth_user_backend": "um_portal.auth_backends.ModelBackend",
            "_auth_user_hash": nurse.get_session_auth_hash(),
        }
    )
    session.create()

    members = members_for(n)
    view, act = (
        Permission.objects.get(content_type__app_label="cases", codename=c).pk
        for c in ("view_authorizationrequest", "act_on_authorizationrequest")
    )
    org_ids = "ARRAY[" + ",".join(str(o.pk) for o in organizations[1:]) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO cases_member (member_number, first_name, last_name, date_of_birth, sex, address_line1,
                   address_line2, city, state, postal_code, phone, preferred_language)
               SELECT 'BM' || lpad(g::text, 7, '0'), 'Bench', 'Member ' || g, %s, 'F', '1 Main St', '',
                      'Baltimore', 'MD', '21201', '', 'English'
                 FROM generate_series(0, %s - 1) AS g""",
            [MEMBER_DOB, members],
        )
        cursor.execute(
            """INSERT INTO cases_coverage (member_id, plan_name, line_of_business, state, effective_date)
               SELECT id, 'Bench Plan', 'commercial', 'MD', '2020-01-01' FROM cases_member ORDER BY id"""
        )
        cursor.execute("SELECT min(id) FROM cases_member")
        first_member = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM cases_coverage")
        first_coverage = cursor.fetchone()[0]
        # Newest last; received over the last 60 days, due 14 days after receipt; all open.
        cursor.execute(
            f"""
            INSERT INTO cases_authorizationrequest (
                id, reference, kind, member_id, coverage_id, requesting_organization_id, requesting_practitioner_id,
                servicing_organization_id, service_category, review_type, urgency, expedited_reason,
                place_of_service, clinical_summary, channel, status, received_at, decision_due_at, notice_due_at,
                clocks, version, created_at, updated_at, change_kind, change_details)
            SELECT gen_random_uuid(), 'BENCH-' || g, 'prior_authorization', %(m0)s + g %% %(members)s,
                   %(c0)s + g %% %(members)s, o.org, CASE WHEN o.org = %(office)s THEN %(surgeon)s END, o.org,
                   (ARRAY['imaging','outpatient_procedure','home_health','dme'])[1 + g %% 4], 'prospective',
                   CASE WHEN g %% 10 = 0 THEN 'expedited' ELSE 'standard' END, '', '22', 'Synthetic bench case.',
                   'api', (ARRAY['received','in_review','pended'])[1 + g %% 3], r.at,
                   r.at + interval '14 days', r.at + interval '14 days', '[]'::jsonb, 1, r.at, r.at, '', '{{}}'::jsonb
              FROM generate_series(1, %(n)s) AS g,
                   LATERAL (SELECT now() - interval '60 days' * (1 - g::float / %(n)s) AS at) AS r,
                   LATERAL (SELECT CASE WHEN g %% {OFFICE_EVERY} = 0 THEN %(office)s
                                        ELSE ({org_ids})[1 + g %% {OTHER_ORGANIZATIONS}] END AS org) AS o
            """,
            {"n": n, "members": members, "m0": first_member, "c0": first_coverage, "office": office.pk,
             "surgeon": surgeon.pk},
        )  # fmt: skip
        cursor.execute(
            """INSERT INTO cases_authorizationrequestgroupobjectpermission (permission_id, group_id, content_object_id)
               SELECT p.id, o.access_group_id, c.id
                 FROM cases_authorizationrequest c
                 JOIN cases_providerorganization o ON o.id = c.requesting_organization_id
                 CROSS JOIN (VALUES (%s), (%s)) AS p (id)""",
            [view, act],
        )
        cursor.execute(
            """INSERT INTO cases_serviceline (id, case_id, line_number, code_system, code, description, units,
                   start_date, end_date, outcome)
               SELECT gen_random_uuid(), id, 1, 'CPT', '97110', '', 12, received_at::date,
                      received_at::date + 30, '' FROM cases_authorizationrequest"""
        )
        cursor.execute("SELECT id FROM cases_authorizationrequest WHERE requesting_organization_id = %s LIMIT 1",
                       [office.pk])  # fmt: skip
        office_case = str(cursor.fetchone()[0])
    connection.cursor().execute("VACUUM ANALYZE")
    # Write the fill's dirty pages out now: otherwise the next checkpoint does it during the
    # measured rounds (the 1M rounds ran beside gigabytes of writes: /healthz itself 14 %
    # slower than at 10k).
    connection.cursor().execute("CHECKPOINT")
    print(f"Filled {n:,} open cases ({n // OFFICE_EVERY:,} the office's) in {time.perf_counter() - started:.0f} s.")
    return {
        "provider_token": tokens["bench_provider"],
        "nurse_token": tokens["bench_nurse"],
        "nurse_session": session.session_key,
        "office_case": office_case,
        "surgeon_npi": surgeon.npi,
        "office_npi": office.npi,
        "members": members,
    }


def main() -> None:
    if len(sys.argv) < 2:  # noqa: PLR2004 - `make bench` runs every script here: http_bench.py drives this one
        print("bench/http_fill.py N: run by bench/http_bench.py (give N to fill by hand).")
        return
    n = int(sys.argv[1])
    url = database_url("um_perf_bench")
    database_create_if_missing(url)
    setup(url)
    print(fill(n))


if __name__ == "__main__":
    main()
