"""Rebuild the dashboard rollups (and optionally the public CMS-0057-F figures) from the
cases: `manage.py reporting_rebuild` (every day since the first request),
`--since 2026-01-01`, `--publish 2025`."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews.reporting.public import metrics_publish
from reviews.reporting.rollups import rollup_days_rebuild, rollup_rebuild_all


class Command(BaseCommand):
    help = "Rebuild the dashboard's daily and monthly rollups from the cases."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First day to rebuild (YYYY-MM-DD); default: every day.")
        parser.add_argument("--publish", type=int, metavar="YEAR", help="Also recompute that year's public figures.")

    def handle(self, *args, since=None, publish=None, **options):
        if since:
            try:
                first = date.fromisoformat(since)
            except ValueError:
                raise CommandError("--since must be a date like 2026-01-01.") from None
            today = timezone.localdate()
            days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
            rebuilt = rollup_days_rebuild(days=days)
        else:
            rebuilt = rollup_rebuild_all()
        self.stdout.write(f"Rebuilt the rollups of {rebuilt} days.")
        if publish:
            stored = metrics_publish(year=publish, force=True)
            self.stdout.write(f"Stored {stored} public reports for {publish}.")
