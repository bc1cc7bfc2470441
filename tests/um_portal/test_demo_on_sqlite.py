"""`make run` on a fresh machine: the demo database is SQLite (the Makefile's RUN_ENV), and
seeding it must work there too. The referral options once used PostgreSQL's DISTINCT ON
only, and `make seed` stopped with NotSupportedError while the whole suite, on
PostgreSQL, passed."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}


def test_make_runs_demo_database_migrates_and_seeds_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY and k != "DATABASE_URL"}
    env.update(
        DEBUG="1",
        DEMO_MODE="1",
        MFA_ENFORCED="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Tasks the seed sends stay in the process: nothing reaches a Redis a portal uses.
        CELERY_BROKER_URL="memory://",
        PRIVATE_STORAGE_ROOT=str(tmp_path / "private"),
    )

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    migrated = manage("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    seeded = manage("seed_demo")
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert "Demo data ready" in seeded.stdout
    # The referral unit's demo reviews were opened, with their options read on SQLite.
    checked = manage(
        "shell",
        "-c",
        "from reviews.models import ReferralReview; print(ReferralReview.objects.count())",
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert int(checked.stdout.split()[-1]) > 0
