"""Deadline sweep benchmark: does one sweep cost the same at 10 thousand or a million open cases?

    .venv/bin/python bench/sweep_bench.py [N]        (default N = 100000, up to 1000000)

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default: the server of DATABASE_URL,
database `um_bench`, created if missing and migrated), fills it in bulk (INSERT ... SELECT
generate_series) with N synthetic open cases whose next alert lies in the future, then:
1. times one sweep with nothing due (and prints the claim query's plan: an index scan on
   case_open_alert_next_id_idx, not a table scan);
2. makes 1 % of the cases due (their 50 % threshold has passed) and times one sweep, which
   raises those alerts in bounded batches.
Synthetic data only; the bench database is emptied at the start of each run.
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import database_url  # noqa: E402

MAX_N = 1_000_000


def database_create_if_missing(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        dbname="postgres",
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")
    conn.close()


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(n: int) -> None:
    """N open cases, received an hour ago, due in 15 days; next alert in 1 to 7 days."""
    from django.db import connection

    from cases.models import AuthorizationRequest, Member, ProviderOrganization
    from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory, UserFactory
    from um_portal.roles import Role, user_set_role

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_authorizationrequest, reviews_casealert, notifications_notification CASCADE")
    member = Member.objects.filter(member_number="BENCH00001").first()
    if member is None:
        member = MemberFactory(member_number="BENCH00001", state="VA")
        CoverageFactory(member=member, state="VA")
    org = ProviderOrganization.objects.filter(name="Bench Practice").first() or OrganizationFactory(
        name="Bench Practice"
    )
    for name in ("bench_nurse1", "bench_nurse2"):
        user_set_role(user=UserFactory(username=name), role=Role.NURSE)
    table = AuthorizationRequest._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (
                id, reference, kind, service_category, review_type, urgency, expedited_reason,
                place_of_service, clinical_summary, channel, status, received_at, decision_due_at,
                notice_due_at, clocks, version, created_at, updated_at, member_id,
                requesting_organization_id, servicing_organization_id, alert_next_at)
            SELECT gen_random_uuid(), 'BENCH-' || g, 'prior_authorization', 'imaging', 'prospective',
                'standard', '', '', '', 'api',
                (ARRAY['received', 'in_review', 'pended', 'physician_review'])[1 + g %% 4],
                now() - interval '1 hour', now() + interval '15 days', now() + interval '15 days',
                '[]'::jsonb, 1, now(), now(), %(member)s, %(org)s, %(org)s,
                now() + (1 + g %% 7) * interval '1 day'
            FROM generate_series(1, %(n)s) AS g
            """,
            {"member": member.pk, "org": org.pk, "n": n},
        )
        cursor.execute(f"ANALYZE {table}")
    print(f"Filled {n:,} open cases in {time.perf_counter() - started:.1f} s.")


def make_due(fraction_every: int = 100) -> int:
    """Make 1 case in `fraction_every` due: received 40 h ago, due in 32 h (past 50 %)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE cases_authorizationrequest
               SET received_at = now() - interval '40 hours',
                   decision_due_at = now() + interval '32 hours',
                   alert_next_at = now() - interval '1 minute'
             WHERE (('x' || substr(md5(reference), 1, 8))::bit(32)::int %% %s) = 0
            """,
            [fraction_every],
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE cases_authorizationrequest")
    return count


def plan() -> str:
    """The sweep's claim query, explained with its real execution (rolled back)."""
    from django.db import transaction
    from django.utils import timezone

    from notifications.services.deadline_sweep import BATCH_SIZE, due_cases_queryset

    with transaction.atomic():
        qs = due_cases_queryset(now=timezone.now()).select_for_update(skip_locked=True, of=("self",))[:BATCH_SIZE]
        text = qs.explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    return text


def timed_sweep(label: str) -> float:
    from notifications.services.deadline_sweep import deadline_sweep_run

    started = time.perf_counter()
    result = deadline_sweep_run()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed * 1000:.1f} ms  {result.as_dict()}")
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if not 1 <= n <= MAX_N:
        sys.exit(f"N must be between 1 and {MAX_N:,}.")
    url = database_url("um_bench")
    database_create_if_missing(url)
    setup(url)
    print(f"Deadline sweep benchmark, N = {n:,} open cases, database {urlparse(url).path.lstrip('/')}")
    fill(n)

    timed_sweep("Warm-up sweep, nothing due")
    runs = [timed_sweep(f"Sweep, nothing due (run {i + 1})") for i in range(5)]
    print(f"Nothing due: best {min(runs) * 1000:.1f} ms, median {sorted(runs)[2] * 1000:.1f} ms")
    print("Claim query plan, nothing due:\n" + plan())

    due = make_due()
    print(f"Made {due:,} cases due ({due / n:.1%}).")
    print("Claim query plan, 1 % due:\n" + plan())
    elapsed = timed_sweep("Sweep, 1 % due")
    if due:
        print(f"  {elapsed / due * 1000:.2f} ms per alerted case")
    timed_sweep("Sweep right after (nothing left)")


if __name__ == "__main__":
    main()
