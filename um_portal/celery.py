"""The Celery application. The beat schedule lives here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab  # noqa: F401  (used by schedule entries as they are added)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")

app = Celery("um_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Readiness stamps (beat sends the sweep, a worker ran it); connected in every process.
from . import health  # noqa: E402,F401

# Intervals from the environment (settings documents them; shorter only in tests and drills).
_deadline_every = float(os.environ.get("DEADLINE_SWEEP_SECONDS", 60))
_heartbeat_every = float(os.environ.get("HEARTBEAT_SECONDS", 30))

# Every periodic task of the portal, and only here.
app.conf.beat_schedule = {
    # Letters: catch up on lost generation messages and alert on overdue notices (RULES.md 2).
    "letters-sweep": {
        "task": "notifications.tasks.letters_sweep",
        "schedule": float(os.environ.get("LETTERS_SWEEP_SECONDS", 300)),
    },
    # Continuation of care for provider agreements whose end takes effect today (RULES.md 5).
    "continuation-of-care-daily": {
        "task": "notifications.tasks.continuation_of_care_daily",
        "schedule": crontab(hour=0, minute=15),
    },
    # Decision deadline alerts and escalations (RULES.md section 2). A run left waiting in
    # the queue for a minute is dropped: the next one does the same work.
    "deadline-sweep": {
        "task": "notifications.tasks.deadline_sweep",
        "schedule": _deadline_every,
        "options": {"expires": _deadline_every * 0.9},
    },
    # The same alerts on faxes not keyed yet, on each fax's own clock (issue 18).
    "fax-deadline-sweep": {
        "task": "notifications.tasks.fax_deadline_sweep",
        "schedule": _deadline_every,
        "options": {"expires": _deadline_every * 0.9},
    },
    # Readiness: proves a worker takes work (um_portal.health).
    "heartbeat": {
        "task": "um_portal.tasks.heartbeat",
        "schedule": _heartbeat_every,
        "options": {"expires": _heartbeat_every},
    },
    # Dashboard rollups from the case event log (incremental; a missed run is caught up).
    "reporting-rollups": {
        "task": "reviews.tasks.reporting_rollups_refresh",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # The public CMS-0057-F prior-authorization figures (posted by March 31 each year).
    "prior-authorization-metrics-publish": {
        "task": "reviews.tasks.prior_authorization_metrics_publish",
        "schedule": crontab(hour=1, minute=30),
    },
    # Gold cards: approval rates per organization and service group, grants and revocations.
    # NCQA: inter-rater reliability at least yearly; checked daily, reminds at most monthly.
    "irr-yearly-reminder": {"task": "notifications.tasks.irr_yearly_reminder", "schedule": crontab(hour=7, minute=0)},
    "gold-cards-nightly": {"task": "automation.tasks.gold_cards_nightly", "schedule": crontab(hour=1, minute=30)},
    "gold-card-letters-catch-up": {"task": "notifications.tasks.gold_card_letters_catch_up", "schedule": 900.0},
    # Authorizations ending in 14 days: one notice to the office (catches up after an outage).
    "authorization-expiry-reminders": {
        "task": "notifications.tasks.authorization_expiry_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    # The watched fax folder (issue 18): files dropped by a fax server enter the fax inbox.
    "fax-folder-ingest": {
        "task": "cases.tasks.fax_folder_ingest_task",
        "schedule": float(os.environ.get("FAX_FOLDER_SECONDS", 60)),
        "options": {"expires": float(os.environ.get("FAX_FOLDER_SECONDS", 60)) * 0.9},
    },
    # Da Vinci PAS subscriptions: heartbeats, and notifications whose message was lost.
    "pas-heartbeats": {"task": "pas.tasks.pas_heartbeats", "schedule": 60.0, "options": {"expires": 55}},
}
