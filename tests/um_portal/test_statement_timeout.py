"""The web statement timeout (issue #13, item 4): a web request's statement that runs past
WEB_STATEMENT_TIMEOUT is cancelled by PostgreSQL and answered 503 in the error shape; web
processes get the limit on every connection, workers and migrations do not."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from um_portal.statement_timeout import database_options_with_timeout
from um_portal.urls import urlpatterns as portal_urls

pytestmark = pytest.mark.postgres


def _slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")
    return HttpResponse("done")


# The portal's routes (the error page links to them) and three slow ones.
urlpatterns = [path("api/v1/slow/", _slow), path("fhir/slow", _slow), path("slow/", _slow), *portal_urls]


@pytest.fixture
def short_timeout(transactional_db):
    """The limit a web process's connection has, short, on the test's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 200")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")


@pytest.mark.urls(__name__)
def test_a_statement_past_the_limit_answers_503_in_the_api_error_shape(client, short_timeout):
    response = client.get("/api/v1/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == "timeout"
    assert "took too long" in body["detail"]


@pytest.mark.urls(__name__)
def test_fhir_and_pages_answer_503_in_their_own_shape(client, short_timeout):
    fhir = client.get("/fhir/slow")
    assert fhir.status_code == 503
    assert json.loads(fhir.content)["issue"][0]["code"] == "timeout"
    page = client.get("/slow/")
    assert page.status_code == 503 and b"took too long" in page.content


def test_options_add_the_limit_to_existing_libpq_options():
    pg = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c search_path=um"}}
    assert database_options_with_timeout(pg, seconds=5)["options"] == "-c search_path=um -c statement_timeout=5000"
    assert database_options_with_timeout(pg, seconds=0) == pg["OPTIONS"]
    assert database_options_with_timeout({"ENGINE": "django.db.backends.sqlite3"}, seconds=5) == {}


SHOW_TIMEOUT = (
    "import django, os, sys\n"
    "{imports}\n"
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SHOW statement_timeout')\n"
    "    print(c.fetchone()[0])\n"
)


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _timeout_in_process(imports: str, **env) -> str:
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "um_portal.settings",
        "SECRET_KEY": "statement-timeout-test",
        "DATABASE_URL": _test_database_url(),
        **env,
    }
    environ.pop("UM_WEB_PROCESS", None)
    code = SHOW_TIMEOUT.format(imports=imports)
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=environ, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_web_processes_get_the_limit_and_workers_and_migrations_do_not(db):
    # The WSGI entry point (gunicorn.conf.py's wsgi_app) marks the process as web.
    assert _timeout_in_process("import um_portal.wsgi") == "5s"
    assert _timeout_in_process("import um_portal.wsgi", WEB_STATEMENT_TIMEOUT="1.5") == "1500ms"
    # Celery and manage.py (migrate) set Django up without it: no limit.
    assert _timeout_in_process("django.setup()") == "0"
