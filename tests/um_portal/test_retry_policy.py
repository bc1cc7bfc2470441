"""Every task retries by the one policy (um_portal.retry): only transient errors, with
back-off and a cap far below Redis's one-hour visibility timeout."""

import smtplib

from django.db import IntegrityError, InterfaceError, OperationalError

from um_portal.celery import app
from um_portal.exceptions import DomainError
from um_portal.retry import retry_policy

OURS = ("cases.", "criteria.", "reviews.", "automation.", "notifications.", "pas.", "um_portal.")


# A simulation claims its row once, so a retry would do nothing: on a database error it is
# marked failed for the administrator to run again (automation/tasks.py).
NOT_RETRIED = {"automation.tasks.simulate_rule"}


def _our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(OURS) and name not in NOT_RETRIED}


def test_every_task_of_the_portal_uses_the_one_retry_policy():
    tasks = _our_tasks()
    assert {"notifications.tasks.deadline_sweep", "notifications.tasks.letters_generate_for_event"} <= set(tasks)
    policy = retry_policy()

    for name, task in tasks.items():
        assert set(policy["autoretry_for"]) <= set(task.autoretry_for), name
        assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter, task.max_retries) == (
            policy["retry_backoff"],
            policy["retry_backoff_max"],
            policy["retry_jitter"],
            policy["max_retries"],
        ), name


def test_only_transient_errors_are_retried():
    for name, task in _our_tasks().items():
        retried = tuple(task.autoretry_for)
        assert not issubclass(IntegrityError, retried), name
        assert not issubclass(DomainError, retried), name
        assert {OperationalError, InterfaceError} <= set(retried), name


def test_the_back_off_stays_far_below_the_visibility_timeout():
    policy = retry_policy()
    worst_case = sum(
        min(policy["retry_backoff"] * 2**n, policy["retry_backoff_max"]) for n in range(policy["max_retries"])
    )

    assert policy["retry_backoff_max"] <= 300
    assert worst_case < 3600 / 4


def test_mail_sending_tasks_also_retry_the_mail_servers_hiccups():
    task = _our_tasks()["notifications.tasks.notifications_email_send"]

    assert smtplib.SMTPException in task.autoretry_for
