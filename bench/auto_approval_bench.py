"""Auto-approval benchmark: what do 200 live rules add to a submit, beside a submit with no
rules, with N existing cases; and the coverage-requirements lookup API beside /healthz.

    .venv/bin/python bench/auto_approval_bench.py [N] [SUBMITS]   (default N = 100000, up to 1000000;
                                                                  SUBMITS = 200 per series)

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default: the server of DATABASE_URL,
database `um_bench_auto`, created if missing and migrated), fills N synthetic decided cases
for the bench organization in bulk, then in one run:
1. submits SUBMITS requests through the intake service with no rules (each rolled back);
2. adds 200 live rules (none matching the request, so every rule is evaluated: the worst
   case), submits again, and times the evaluation alone;
3. times GET /api/v1/coverage-requirements/ (200 requirement versions) beside GET /healthz.
Prints p50/p95 of each; the aim is under 20 ms added at p95. Synthetic data only.
"""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import database_url  # noqa: E402

MAX_N = 1_000_000
RULES = 200


def setup(url: str) -> None:
    from bench.sweep_bench import database_create_if_missing

    database_create_if_missing(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms"


def world(n: int):
    """The bench organization, member and provider, and N decided cases (INSERT ... SELECT)."""
    from django.db import connection

    from automation.models import AutoApprovalRule, RuleEvaluation
    from cases.models import AuthorizationRequest, Member, ProviderOrganization
    from cases.services.providers import provider_user_attach
    from criteria.models import CoverageRequirement
    from tests.factories import (
        AgreementFactory,
        CoverageFactory,
        MemberFactory,
        OrganizationFactory,
        UserFactory,
        valid_npi,
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_authorizationrequest, automation_autoapprovalrule, criteria_coveragerequirement CASCADE"
        )
    assert not AuthorizationRequest.objects.exists() and not AutoApprovalRule.objects.exists()
    assert not RuleEvaluation.objects.exists() and not CoverageRequirement.objects.exists()
    # Reused across runs (the cases are truncated above; these rows stay).
    org = ProviderOrganization.objects.filter(name="Bench Ortho").first()
    if org is None:
        org = OrganizationFactory(name="Bench Ortho", npi=valid_npi(77_000_001))
        AgreementFactory(organization=org, effective_date=date(2020, 1, 1))
    member = Member.objects.filter(member_number="BAUTO00001").first()
    if member is None:
        member = MemberFactory(member_number="BAUTO00001")
        CoverageFactory(member=member, effective_date=date(2020, 1, 1))
    user = UserFactory(username="bench_auto_provider")
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
            SELECT gen_random_uuid(), 'BENCH-' || g, 'prior_authorization', 'outpatient_procedure', 'prospective',
                'standard', '', '22', '', 'api', 'approved', now() - interval '30 days',
                now() - interval '20 days', now() - interval '25 days', '[]'::jsonb, 1, now(), now(),
                %(member)s, %(org)s, %(org)s
            FROM generate_series(1, %(n)s) AS g
            """,
            {"member": member.pk, "org": org.pk, "n": n},
        )
        cursor.execute(f"ANALYZE {AuthorizationRequest._meta.db_table}")
    print(f"Filled {n:,} decided cases in {time.perf_counter() - started:.1f} s.")
    return org, member, user


def submit_series(label, user, org, member, count) -> list[float]:
    from django.db import transaction

    from cases.services.intake import authorization_submit

    start = date.today() + timedelta(days=20)
    times = []
    for index in range(count):
        began = time.perf_counter()
        with transaction.atomic():
            case = authorization_submit(
                user=user, member_number=member.member_number, member_date_of_birth=member.date_of_birth,
                requesting_provider_npi=org.npi, servicing_provider_npi=org.npi,
                service_category="outpatient_procedure", diagnosis_codes=["M17.11"], place_of_service="22",
                lines=[{"code_system": "CPT", "code": "27447", "units": 1 + index % 3, "start_date": start,
                        "end_date": start}],
            )  # fmt: skip
            transaction.set_rollback(True)
        times.append(time.perf_counter() - began)
    print(f"{label:<40} {percentiles(times)}  (status {case.status})")
    return times


def rules_add(admin_user) -> None:
    """200 live rules over other codes (every one is evaluated and fails: the worst case)."""
    from automation.models import AutoApprovalRule, AutoApprovalRuleVersion, RuleStatus

    rules = AutoApprovalRule.objects.bulk_create(AutoApprovalRule(name=f"Bench rule {i:03d}") for i in range(RULES))
    AutoApprovalRuleVersion.objects.bulk_create(
        AutoApprovalRuleVersion(
            rule=rule, version=1, status=RuleStatus.LIVE, effective_from=date(2020, 1, 1),
            conditions={"codes": [f"{97000 + i:05d}-{97000 + i:05d}", "27447"], "diagnoses": ["M16"],
                        "lines_of_business": ["commercial", "medicare_advantage"], "max_units": 12,
                        "documents": ["X-ray report"]},
        )
        for i, rule in enumerate(rules)
    )  # fmt: skip


def evaluation_series(user, org, member, count) -> None:
    from django.db import transaction

    from automation.services.evaluate import rules_evaluate
    from cases.services.intake import case_create

    start = date.today() + timedelta(days=20)
    with transaction.atomic():
        case = case_create(
            member=member, requesting_organization=org, servicing_organization=org,
            service_category="outpatient_procedure", diagnosis_codes=["M17.11"], place_of_service="22",
            lines=[{"code_system": "CPT", "code": "27447", "units": 1, "start_date": start, "end_date": start}],
        )  # fmt: skip
        times = []
        for _ in range(count):
            began = time.perf_counter()
            rules_evaluate(case=case)
            times.append(time.perf_counter() - began)
        transaction.set_rollback(True)
    print(f"{'Evaluation alone, 200 rules':<40} {percentiles(times)}")


def lookup_series(user, count) -> None:
    from django.test import Client

    from criteria.models import CoverageRequirement

    CoverageRequirement.objects.bulk_create(
        CoverageRequirement(
            policy=f"bench-{i}", version=1, service="Bench service",
            codes=[f"{20000 + i * 10:05d}-{20009 + i * 10:05d}"],
            code_min=f"{20000 + i * 10:05d}", code_max=f"{20009 + i * 10:05d}", effective_from=date(2020, 1, 1),
            lines_of_business=["commercial"], documentation=["Notes"],
        )
        for i in range(RULES)
    )  # fmt: skip
    client = Client()
    client.force_login(user)
    for label, url in (
        ("GET /healthz", "/healthz"),
        ("GET /api/v1/coverage-requirements/", "/api/v1/coverage-requirements/?code=20455&line_of_business=commercial"),
    ):
        client.get(url)
        times = []
        for _ in range(count):
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.content
        print(f"{label:<40} {percentiles(times)}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    if not 1 <= n <= MAX_N:
        sys.exit(f"N must be between 1 and {MAX_N:,}.")
    url = database_url("um_bench_auto")
    setup(url)
    print(f"Auto-approval benchmark, N = {n:,} existing cases, {count} submits per series")
    org, member, user = world(n)
    submit_series("Warm-up", user, org, member, 10)
    without = submit_series("Submit, no rules", user, org, member, count)
    rules_add(None)
    with_rules = submit_series(f"Submit, {RULES} live rules (no match)", user, org, member, count)
    added_p95 = (sorted(with_rules)[round(0.95 * (count - 1))] - sorted(without)[round(0.95 * (count - 1))]) * 1000
    added_p50 = (statistics.median(with_rules) - statistics.median(without)) * 1000
    print(f"Added by the rules: p50 {added_p50:+.2f} ms, p95 {added_p95:+.2f} ms (aim: under 20 ms at p95)")
    evaluation_series(user, org, member, count)
    lookup_series(user, count)


if __name__ == "__main__":
    main()
