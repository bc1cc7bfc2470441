"""Celery tasks of the reviews app: small, idempotent, calling one service."""

from celery import shared_task
from django.utils import timezone

from um_portal.retry import retry_policy

from .reporting.public import metrics_publish
from .reporting.rollups import rollup_refresh


@shared_task(**retry_policy())
def reporting_rollups_refresh() -> int:
    """Bring the dashboard's daily and monthly rollups up to date with the case event log
    (beat: every 10 minutes; it catches up after an outage by itself). Days rebuilt."""
    return rollup_refresh()


@shared_task(**retry_policy())
def prior_authorization_metrics_publish() -> int:
    """Recompute the public CMS-0057-F figures of this year and of last year until its
    March 31 posting (beat: nightly). Reports stored."""
    year = timezone.localdate().year
    return metrics_publish(year=year) + metrics_publish(year=year - 1)
