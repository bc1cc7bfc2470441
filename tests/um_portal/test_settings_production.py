"""Settings read from the environment: production refuses to start without a secret,
DEBUG is off unless asked for, and `check --deploy` is clean with production values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# Variables the test settings put in this process's environment; a production process has none.
TEST_ONLY = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}


def _production_env(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    clean.update(env)
    return {k: v for k, v in clean.items() if v is not None}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = _production_env(**env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='um_portal.settings'; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='um_portal.settings'; import django; django.setup(); "
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    )
    assert _run(code, SECRET_KEY="x" * 60).stdout.split() == ["False", "True"]
    assert _run(code, DEBUG="1").stdout.split() == ["True", "False"]


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(
            DJANGO_SETTINGS_MODULE="um_portal.settings",
            SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="um.example.org",
            DATABASE_URL="sqlite:///:memory:",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_mfa_lockout_or_enrolment_link_is_off():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(
            DJANGO_SETTINGS_MODULE="um_portal.settings",
            SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="um.example.org",
            DATABASE_URL="sqlite:///:memory:",
            MFA_ENFORCED="0",
            AXES_ENABLED="0",
            DEMO_MODE="1",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "um_portal.W001" in result.stderr + result.stdout
    assert "um_portal.W002" in result.stderr + result.stdout
    assert "um_portal.W003" in result.stderr + result.stdout, "demo mode lets a password enrol a second factor"


def test_production_keeps_database_connections_with_health_checks():
    # Given production settings (no CONN_MAX_AGE in the environment)
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='um_portal.settings'; import django; django.setup(); "
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    clean = {"SECRET_KEY": "x" * 60, "CONN_MAX_AGE": None, "CONN_HEALTH_CHECKS": None}

    # Then each process keeps its connection a minute, checked before reuse
    assert _run(code, **clean).stdout.split() == ["60", "True"]
    # And both are the operator's to change (0: a connection per request, as before)
    assert _run(code, SECRET_KEY="x" * 60, CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="0").stdout.split() == ["0", "False"]
