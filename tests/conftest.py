"""Named personas for every role (healthchecks' alice/bob style) and case helpers.

- `provider` works at `ortho` (Chesapeake-like practice); `provider2` at `imaging`.
- `nurse`, `nurse2`: RNs. `physician`: MD licensed in MD, VA, DC. `physician_ca`: CA only.
- `admin`: UM administrator.
"""

import logging
import os
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from cases.services.intake import case_create
from cases.services.providers import provider_user_attach
from um_portal.roles import Role, user_set_role

from .factories import (
    AgreementFactory,
    CoverageFactory,
    LicenseFactory,
    MemberFactory,
    OrganizationFactory,
    PractitionerFactory,
    UserFactory,
)
from .html_ids import found_take

PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    """Skip, by name, only the tests whose service is missing (see settings_test)."""
    skip_pg = pytest.mark.skip(reason="PostgreSQL not reachable (running on SQLite)")
    skip_redis = pytest.mark.skip(reason="Redis not reachable")
    for item in items:
        if "postgres" in item.keywords and not settings.POSTGRES_AVAILABLE:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_AVAILABLE:
            item.add_marker(skip_redis)


# One awkward instant for the whole run (README "Tests"; .ci/run runs the suite at each):
# UM_TEST_NOW=2026-03-08T01:30:00-05:00 starts the clock there, ticking. Tests that freeze
# their own time still do.
UM_TEST_NOW = "UM_TEST_NOW"


def _test_now() -> datetime | None:
    value = os.environ.get(UM_TEST_NOW, "")
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise pytest.UsageError(
            f"{UM_TEST_NOW}={value!r}: give an ISO 8601 time with its offset, e.g. 2026-03-08T01:30:00-05:00"
        )
    return instant


def pytest_configure(config):
    _test_now()  # a malformed UM_TEST_NOW stops the run before it starts


def pytest_report_header(config):
    instant = _test_now()
    return [f"{UM_TEST_NOW}: the clock starts at {instant.isoformat()} (ticking)"] if instant else []


@pytest.fixture(autouse=True, scope="session")
def _clock_at_test_now():
    instant = _test_now()
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


def pytest_sessionfinish(session, exitstatus):
    """Delete this run's Celery queue (settings_test): messages that transactional tests
    enqueued without a worker must not pile up in Redis, run after run."""
    if not settings.REDIS_AVAILABLE:
        return
    from um_portal.celery import app

    with app.connection_for_write() as connection:
        # Declared first so the channel knows the queue's binding, which delete removes too.
        queue = app.amqp.queues[settings.CELERY_TASK_DEFAULT_QUEUE].bind(connection.default_channel)
        queue.declare()
        queue.delete()


@pytest.fixture(autouse=True)
def _unique_ids_on_every_page():
    """Fail the test that rendered a page with an id used twice (tests/html_ids.py)."""
    found_take()
    yield
    found = found_take()
    if found:
        pytest.fail("Pages with duplicate element ids:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def _staff(username: str, role: str, credentials: str = ""):
    user = UserFactory(username=username, credentials=credentials, first_name=username.title(), last_name="Tester")
    user_set_role(user=user, role=role)
    return user


@pytest.fixture
def compiled_afresh():
    """The queries compiled once per process (um_portal.compiled) forgotten before and
    after: the test's first call compiles, as a new worker's would."""
    from um_portal.compiled import compiled_forget

    compiled_forget()
    yield
    compiled_forget()


@pytest.fixture
def ortho(db):
    org = OrganizationFactory(name="Ortho Test Associates")
    AgreementFactory(organization=org)
    return org


@pytest.fixture
def imaging(db):
    org = OrganizationFactory(name="Imaging Test Center", kind="imaging")
    AgreementFactory(organization=org)
    return org


@pytest.fixture
def surgeon(ortho):
    return PractitionerFactory(organization=ortho)


@pytest.fixture
def provider(ortho):
    user = UserFactory(username="provider", first_name="Paula", last_name="Grant")
    provider_user_attach(user=user, organization=ortho)
    return user


@pytest.fixture
def provider2(imaging):
    user = UserFactory(username="provider2", first_name="Peter", last_name="Hale")
    provider_user_attach(user=user, organization=imaging)
    return user


@pytest.fixture
def nurse(db):
    return _staff("nurse", Role.NURSE, "RN")


@pytest.fixture
def nurse2(db):
    return _staff("nurse2", Role.NURSE, "RN")


@pytest.fixture
def physician(db):
    user = _staff("physician", Role.PHYSICIAN, "MD")
    for state in ("MD", "VA", "DC"):
        LicenseFactory(physician=user, state=state)
    return user


@pytest.fixture
def physician2(db):
    user = _staff("physician2", Role.PHYSICIAN, "MD")
    for state in ("MD", "VA", "DC"):
        LicenseFactory(physician=user, state=state)
    return user


@pytest.fixture
def physician_ca(db):
    user = _staff("physician_ca", Role.PHYSICIAN, "MD")
    LicenseFactory(physician=user, state="CA")
    return user


@pytest.fixture
def admin_user(db):
    user = _staff("admin", Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def member(db):
    m = MemberFactory(member_number="M100001", first_name="Alice", last_name="Marlowe", date_of_birth=date(1961, 4, 2))
    CoverageFactory(member=m)
    return m


@pytest.fixture
def make_case(ortho, surgeon):
    """Create a case through the real intake service. Keyword overrides pass through."""

    def _make(**overrides):
        start = overrides.pop("start_date", timezone.localdate() + timedelta(days=14))
        member = overrides.pop("member", None)
        if member is None:
            member = MemberFactory()
            CoverageFactory(member=member)
        kwargs = {
            "member": member,
            "requesting_organization": ortho,
            "requesting_practitioner": surgeon,
            "servicing_organization": ortho,
            "service_category": "outpatient_procedure",
            "diagnosis_codes": ["M17.11"],
            "lines": [{"code_system": "CPT", "code": "27447", "units": 1, "start_date": start, "end_date": start}],
            "clinical_summary": "Synthetic test case.",
        }
        kwargs.update(overrides)
        return case_create(**kwargs)

    return _make


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it."""

    class _Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return _Client()


# Shipped configuration written by data migrations: (migration module, function). Contact
# lines restore themselves on post_migrate (notifications.apps).
SHIPPED_DATA = [
    ("cases.deadlines.shipped", "ship"),
    ("notifications.migrations.0006_letter_defaults", "ship"),
    ("cases.stays_norms", "ship"),
    ("cases.migrations.0015_nucc_specialties", "ship"),
    ("reviews.referral_intent_data", "ship"),
    ("cases.migrations.0015_nucc_specialties", "ship"),
]


@pytest.fixture(autouse=True)
def _shipped_configuration(request):
    """Transactional tests (browser, concurrency) flush every table after each test, the
    rows data migrations shipped included: put them back (the functions are idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    for module, function in SHIPPED_DATA:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker (the project app, Redis broker) in a thread, for tests that run
    tasks the way production does. Tests using it need `pytest.mark.redis` and
    `pytest.mark.postgres` and see committed data only (transactional database).
    Results go to Redis so a test can wait: `task.apply_async(..., ignore_result=False).get()`."""
    from celery.contrib.testing.worker import start_worker

    from um_portal.celery import app

    def _reset_backend():
        # The result backend is cached per app (or per thread): drop it so the new one is used.
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    # The embedded worker sets up Celery's logging: keep the project's (redacting) handlers.
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    app.conf.update(result_backend=settings.REDIS_URL, task_ignore_result=False, worker_hijack_root_logger=False)
    _reset_backend()
    app.control.purge()  # this run's queue: tasks earlier tests enqueued with no worker running
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        app.conf.update(result_backend=None, task_ignore_result=True)
        _reset_backend()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
