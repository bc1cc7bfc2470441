"""The WSGI entry point loads every view before the first request (issue #13): gunicorn's
master preloads it (gunicorn.conf.py preload_app) and forks warm workers, so nothing it
opens may be a socket the workers would then share."""

import json
import os
import runpy
import subprocess
import sys

from django.conf import settings

# Run in a new interpreter: which modules the import loaded, which connections it opened
# and which sockets the process holds afterwards, as JSON.
PROBE = """
import json, os, sys
before = set(sys.modules)
import um_portal.wsgi
from django.core.cache import caches
from django.db import connections
from django.urls import get_resolver
def target(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # the listing's own descriptor, closed by now
        return ""
sockets = [fd for fd in os.listdir("/proc/self/fd") if target(fd).startswith("socket:")]
print(json.dumps({
    "loaded": sorted(set(sys.modules) - before),
    "resolver_populated": get_resolver()._populated,
    "database_connections": [c.alias for c in connections.all(initialized_only=True) if c.connection is not None],
    "caches": [str(c) for c in caches.all(initialized_only=True)],
    "sockets": sockets,
}))
"""


def _probe(**env) -> dict:
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "um_portal.settings", "SECRET_KEY": "wsgi-warm-test", **env}
    environ.pop("UM_WEB_PROCESS", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PROBE], env=environ, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_wsgi_import_loads_every_view_and_opens_no_connection():
    probe = _probe()

    # Every view module the URLconf includes is imported, and the reverse lookups built:
    # the API, the pages and the FHIR endpoints alike
    for module in ("um_portal.urls", "cases.api.authorizations", "reviews.api", "reviews.views.queues", "pas.views"):
        assert module in probe["loaded"], module
    assert probe["resolver_populated"] is True
    # and nothing a forked worker would share: no database connection, no cache client,
    # no socket at all
    assert probe["database_connections"] == []
    assert probe["caches"] == []
    assert probe["sockets"] == []


def test_gunicorn_preloads_the_portal_unless_told_not_to(monkeypatch):
    config = settings.BASE_DIR / "gunicorn.conf.py"
    monkeypatch.delenv("GUNICORN_PRELOAD", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    loaded = runpy.run_path(str(config))
    assert loaded["preload_app"] is True
    assert loaded["wsgi_app"] == "um_portal.wsgi:application"
    # Workers recycle after 10,000 to 15,000 requests each: spread, so that two busy
    # workers are not away at the same moment.
    assert (loaded["max_requests"], loaded["max_requests_jitter"]) == (10_000, 5_000)
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    assert runpy.run_path(str(config))["preload_app"] is False


FREEZE_PROBE = """
import gc, json, runpy, sys
import um_portal.wsgi
loaded = len(gc.get_objects())
runpy.run_path(sys.argv[1])["pre_fork"](None, None)
print(json.dumps({"loaded": loaded, "frozen": gc.get_freeze_count(), "left": len(gc.get_objects())}))
"""


def test_the_master_freezes_what_it_loaded_before_each_fork():
    # gunicorn's pre_fork hook, in a master that has preloaded the portal: its objects leave
    # the collector's generations, so a worker's full collection walks its own objects only.
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "um_portal.settings", "SECRET_KEY": "wsgi-warm-test"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", FREEZE_PROBE, str(settings.BASE_DIR / "gunicorn.conf.py")],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["loaded"] > 100_000  # Django and every view
    assert probe["frozen"] >= probe["loaded"]
    assert probe["left"] < probe["loaded"] // 100
