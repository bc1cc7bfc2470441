"""`manage.py readiness [--only beat,worker]`: the /readyz checks from a shell or a container
health check; prints them as JSON and exits 1 when a checked part is down."""

import json

from django.core.management.base import BaseCommand, CommandError

from um_portal.health import readiness

PARTS = ("database", "redis", "worker", "beat")


class Command(BaseCommand):
    help = "Check database, Redis, worker heartbeat and beat; exit 1 naming what is down."

    def add_arguments(self, parser):
        parser.add_argument("--only", default="", help=f"Comma-separated parts to judge: {', '.join(PARTS)}.")

    def handle(self, *args, only: str, **options):
        wanted = [part.strip() for part in only.split(",") if part.strip()] or list(PARTS)
        unknown = sorted(set(wanted) - set(PARTS))
        if unknown:
            raise CommandError(f"Unknown part(s): {', '.join(unknown)}. Choose from {', '.join(PARTS)}.")
        _, checks = readiness()
        judged = {part: checks[part] for part in wanted}
        self.stdout.write(json.dumps(judged, sort_keys=True))
        down = [part for part, check in judged.items() if not check["ok"]]
        if down:
            raise CommandError(f"Down: {', '.join(down)}.")
