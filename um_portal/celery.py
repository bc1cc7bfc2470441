"""The Celery application. The beat schedule lives here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab  # noqa: F401  (used by schedule entries as they are added)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")

app = Celery("um_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic task of the portal, and only here.
app.conf.beat_schedule = {}
