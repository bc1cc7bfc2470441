"""The tiny test override.

`make test` runs on PostgreSQL and Redis (DATABASE_URL / REDIS_URL, defaulting to the
local ones). Where either is unreachable the suite says so plainly, runs on SQLite and
skips by name only the tests marked as needing the missing service.
"""

import os
import socket
import sys
import uuid
from urllib.parse import urlparse

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/um_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        return False
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable(os.environ["DATABASE_URL"], 5432)
REDIS_AVAILABLE = _reachable(os.environ["REDIS_URL"], 6379)
if not POSTGRES_AVAILABLE:
    sys.stderr.write(
        f"\n*** PostgreSQL at {os.environ['DATABASE_URL']} is not reachable: running on SQLite; "
        "tests marked 'postgres' are skipped. ***\n"
    )
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
if not REDIS_AVAILABLE:
    sys.stderr.write(
        f"\n*** Redis at {os.environ['REDIS_URL']} is not reachable: tests marked 'redis' are skipped. ***\n"
    )

# Celery in tests always goes through the real broker (Redis) via the celery_worker
# fixture; it is never eager.
os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"] if REDIS_AVAILABLE else "memory://")

from .settings import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "fragments": CACHES["fragments"]}  # noqa: F405
PRIVATE_STORAGE_ROOT = BASE_DIR / "var" / "test-private"  # noqa: F405
STORAGES["default"]["OPTIONS"]["location"] = str(PRIVATE_STORAGE_ROOT)  # noqa: F405
# Tests render pages without `collectstatic`: plain static names (the production smoke test
# runs collectstatic and the hashed, compressed files for real).
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"user": "10000/minute", "anon": "10000/minute"}  # noqa: F405
# Playwright drives the browser from an asyncio loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Staff MFA and login lockout are off by default in tests so `client.force_login(nurse)`
# and `client.login(...)` keep working; the tests of those features turn them on.
MFA_ENFORCED = False
AXES_ENABLED = False

# Each run has a Celery queue of its own (the exchange and routing key follow the queue's
# name), so a worker of a running `make run` on the same Redis, which consumes the default
# queue "celery", or a second `make test`, cannot take this run's tasks; the test worker
# (tests/conftest.py `celery_worker`) consumes only this queue, and the run deletes it at the
# end. The cache is the in-process one above, so throttle counters and idempotency keys are
# never shared either.
CELERY_TASK_DEFAULT_QUEUE = f"um-test-{uuid.uuid4().hex[:12]}"

# Every HTML page the suite renders is checked for duplicate element ids (tests/html_ids.py;
# issue 22, item 1); tests/conftest.py fails the test that rendered one.
MIDDLEWARE = [*MIDDLEWARE, "tests.html_ids.DuplicateIdMiddleware"]  # noqa: F405
