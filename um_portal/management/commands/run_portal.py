"""`make run`: the web server plus one Celery worker with beat, stopped together by Ctrl-C.

The broker is chosen here, explicitly, and said out loud: Redis when it answers,
otherwise kombu's filesystem transport, which needs no server. Never eager mode.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Start the portal (runserver) with a Celery worker and beat; Ctrl-C stops all of it."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        env = os.environ.copy()
        if "CELERY_BROKER_URL" not in env:
            if redis_reachable(settings.REDIS_URL):
                env["CELERY_BROKER_URL"] = settings.REDIS_URL
                self.stdout.write(f"Celery broker: Redis at {settings.REDIS_URL}")
            else:
                env["CELERY_BROKER_URL"] = "filesystem://"
                self.stdout.write(
                    "Celery broker: Redis not reachable, using the embedded filesystem transport (var/celery-queue)."
                )
        for folder in ("processed", "control"):
            (settings.BASE_DIR / "var" / "celery-queue" / folder).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        processes = [
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "um_portal",
                    "worker",
                    "-B",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--schedule",
                    settings.CELERY_BEAT_SCHEDULE_FILENAME,
                ],
                env=env,
                cwd=settings.BASE_DIR,
            ),
            subprocess.Popen(
                [python, "manage.py", "runserver", "--noreload", addrport], env=env, cwd=settings.BASE_DIR
            ),
        ]
        self.stdout.write(
            self.style.SUCCESS(f"UM Portal on http://{addrport}/ (Ctrl-C stops the web server and the worker)")
        )
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in processes:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
