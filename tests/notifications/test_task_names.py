"""Services enqueue tasks by registered name (um_portal.enqueue): every name they use is a
real task, and an unknown name fails loudly instead of sending a message nobody consumes."""

import os
import subprocess
import sys

import pytest

from notifications import task_names, tasks
from um_portal.enqueue import task_send


def test_every_task_name_is_a_registered_task_of_notifications():
    names = {k: v for k, v in vars(task_names).items() if k.isupper()}
    assert len(names) == 6
    for name in names.values():
        assert getattr(tasks, name.rsplit(".", 1)[1]).name == name


def test_a_web_process_that_never_imported_a_tasks_module_still_enqueues_by_name():
    """A fresh process (as gunicorn is): automation.tasks is not imported until discovery."""
    script = """
import django, sys
django.setup()
from unittest import mock
from celery import Celery, current_app
assert "automation.tasks.simulate_rule" not in current_app.tasks
sent = []
with mock.patch.object(Celery, "send_task", lambda app, name, args=None, **o: sent.append((name, args))):
    from um_portal.enqueue import task_send
    task_send("automation.tasks.simulate_rule", 7)
print(sent)
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "um_portal.settings_test"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[('automation.tasks.simulate_rule', (7,))]"


def test_an_unknown_task_name_is_refused_before_anything_is_sent():
    with pytest.raises(LookupError, match="notifications.tasks.no_such_task"):
        task_send("notifications.tasks.no_such_task", 1)
