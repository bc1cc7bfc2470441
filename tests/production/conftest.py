"""Fixtures of the production tests: the stack (tests/production/stack.py) and headless
Chromium as the browser tests launch it."""

import shutil

import pytest
from django.conf import settings as django_settings

from tests.e2e.conftest import browser_type_launch_args, pytest_collection_modifyitems  # noqa: F401

from .stack import stack_start, stack_stop


@pytest.fixture(scope="session")
def stack():
    """The production stack: one web node, one worker, one beat (tests may add more)."""
    if not django_settings.POSTGRES_AVAILABLE or not django_settings.REDIS_AVAILABLE:
        pytest.skip("the production stack needs PostgreSQL and Redis")
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    running = stack_start()
    try:
        yield running
    finally:
        stack_stop(running)
