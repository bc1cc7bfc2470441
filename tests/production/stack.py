"""The portal started as production starts it, without Docker (the library behind the
`stack` fixture in conftest.py).

A fresh PostgreSQL database created for this run (other test runs share the server), a
Redis server of its own on a free port, `collectstatic` and `migrate`, then gunicorn (the
project's gunicorn.conf.py), Celery workers and beat as separate processes with DEBUG off.
Every process runs in its own process group and is stopped (TERM, then KILL); the
database is dropped; every wait is bounded. Logs are kept in test-artifacts/production/.

By hand: `python -m tests.production.stack [seconds]` (DATABASE_URL set) starts one and
prints its addresses; it stops after the given time or on Ctrl-C.
"""

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts" / "production"
BIN = Path(sys.executable).parent
PASSWORD = "smoke-portal-2026-pass"
# Staff sign in with a second factor: known TOTP keys, installed by `seed` below.
TOTP_KEYS = {
    "admin": "3132333435363738393031323334353637383930",
    "nurse": "4132333435363738393031323334353637383930",
    "physician": "5132333435363738393031323334353637383930",
    "physician2": "6132333435363738393031323334353637383930",
}
# Variables of the test process that a production process never has.
TEST_ONLY = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT", "DEBUG", "CACHE_URL"}

# The production configuration of the stack; no TLS in front of it (so no HTTPS redirect
# and cookies without Secure); short beat intervals and readiness limits for the test.
STACK_ENV = {
    "DJANGO_SETTINGS_MODULE": "um_portal.settings",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "FILE_STORAGE": "filesystem",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "WEB_CONCURRENCY": "2",
    "API_THROTTLE_ANON": "12/minute",
    "API_THROTTLE_USER": "100000/minute",
    "HEARTBEAT_SECONDS": "3",
    "DEADLINE_SWEEP_SECONDS": "2",
    "LETTERS_SWEEP_SECONDS": "3",
    "READY_WORKER_MAX_AGE": "15",
    "READY_BEAT_MAX_AGE": "15",
    "DEMO_PASSWORD": PASSWORD,
    "LOG_LEVEL": "INFO",
    "PYTHONUNBUFFERED": "1",
}

SEED = f"""
from django_otp.plugins.otp_totp.models import TOTPDevice
from um_portal.models import User
for username, key in {TOTP_KEYS!r}.items():
    user = User.objects.get(username=username)
    TOTPDevice.objects.update_or_create(user=user, name="smoke", defaults={{"key": key, "confirmed": True}})
"""


_last_step: dict[str, int] = {}


def real_time() -> float:
    """The wall clock the stack's processes see, also when the suite runs at another instant
    (UM_TEST_NOW moves this process's clock with time-machine, not the stack's)."""
    try:
        from time_machine import escape_hatch
    except ImportError:
        return time.time()
    return escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()


def real_today(tz: str = "America/New_York"):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(real_time(), ZoneInfo(tz)).date()


def otp(username: str) -> str:
    """A current TOTP code for `username`, never one already used in this run (django-otp
    refuses a time step twice): the next step's code when this one was taken."""
    from django_otp.oath import hotp

    now = int(real_time() // 30)
    step = max(now, _last_step.get(username, -1) + 1)
    _last_step[username] = step
    # TOTP is HOTP over the 30-second step number (RFC 6238), computed on the real clock.
    return f"{hotp(bytes.fromhex(TOTP_KEYS[username]), step):06d}"


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies, however it dies
    (Linux prctl PR_SET_PDEATHSIG), so no node outlives a killed test run."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 (not up yet)
            last = exc
        time.sleep(interval)
    raise AssertionError(f"{what}: not ready after {timeout:.0f} s (last: {last!r})")


@dataclass
class Stack:
    tmp: Path
    env: dict
    db_name: str
    db_dsn: dict
    processes: dict = field(default_factory=dict)
    webs: list = field(default_factory=list)

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.log(name)
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def start(self, name: str, argv: list[str], **env) -> subprocess.Popen:
        handle = self.log(name).open("ab")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
        )
        self.processes[name] = process
        return process

    def run(self, name: str, argv: list[str], timeout: float) -> None:
        with self.log(name).open("ab") as handle:
            result = subprocess.run(
                argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout, check=False
            )
        assert result.returncode == 0, f"{' '.join(argv)} failed:\n{self.tail(name)}"

    def stop(self, name: str, timeout: float = 20) -> None:
        """TERM to the process itself (gunicorn and Celery then stop their children
        cleanly), KILL to its whole process group after `timeout` or for any straggler."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait(timeout=10)

    def add_web(self) -> str:
        port = free_port()
        name = f"web{len(self.webs) + 1}"
        self.start(name, [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], GUNICORN_BIND=f"127.0.0.1:{port}")
        url = f"http://127.0.0.1:{port}"
        wait_for(
            f"{name} /healthz",
            lambda: self._alive(name) and requests.get(f"{url}/healthz", timeout=5).status_code == 200,
            timeout=120,
        )
        self.webs.append(url)
        return url

    def add_worker(self, name: str) -> None:
        argv = [str(BIN / "celery"), "-A", "um_portal", "worker", "-n", f"{name}@%h", "--concurrency=1"]
        self.start(name, [*argv, "--loglevel=INFO", "--without-mingle", "--without-gossip"])

    def add_beat(self, name: str) -> None:
        schedule = self.tmp / f"{name}-schedule"
        self.start(name, [str(BIN / "celery"), "-A", "um_portal", "beat", "--loglevel=INFO", f"--schedule={schedule}"])

    def _alive(self, name: str) -> bool:
        process = self.processes[name]
        assert process.poll() is None, f"{name} exited with {process.returncode}:\n{self.tail(name)}"
        return True

    def ready(self, url: str, timeout: float = 120) -> dict:
        def check():
            response = requests.get(f"{url}/readyz", timeout=10)
            return response.json() if response.status_code == 200 else None

        return wait_for(f"{url}/readyz", check, timeout=timeout, interval=1)

    def sql_admin(self, statement: str) -> None:
        conn = psycopg2.connect(dbname="postgres", **self.db_dsn)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement)
        finally:
            conn.close()

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg2.connect(dbname=self.db_name, **self.db_dsn) as conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall() if cursor.description else []
        conn.close()
        return rows


def _server_dsn() -> dict:
    url = urlparse(os.environ["DATABASE_URL"])
    return {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password or "",
    }


def stack_start(prefix: str = "um-prod-") -> Stack:
    """Create the database and Redis, collect static files, migrate, seed, and start one web
    node, one worker and one beat. Stops what it started if any step fails."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.rmtree(LOGS, ignore_errors=True)  # the last run's logs
    dsn = _server_dsn()
    base = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/") or "um"
    db_name = f"{base}_prod_{secrets.token_hex(4)}"[:60]
    redis_port = free_port()
    credentials = f"{dsn['user']}:{dsn['password']}" if dsn["password"] else dsn["user"]
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(STACK_ENV)
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"postgres://{credentials}@{dsn['host']}:{dsn['port']}/{db_name}",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/0",
        CACHE_URL=f"rediscache://127.0.0.1:{redis_port}/1",
        STATIC_ROOT=str(tmp / "static"),
        PRIVATE_STORAGE_ROOT=str(tmp / "shared-files"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp / "beat-schedule"),
    )
    stack = Stack(tmp=tmp, env=env, db_name=db_name, db_dsn=dsn)
    created = False
    try:
        stack.sql_admin(f'CREATE DATABASE "{db_name}"')
        created = True
        stack.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        wait_for("redis-server", lambda: socket.create_connection(("127.0.0.1", redis_port), timeout=1), timeout=30)
        python = str(BIN / "python")
        # collectstatic (hashing, gzip and Brotli) runs beside migrate and seed.
        collect = stack.start("collectstatic", [python, "manage.py", "collectstatic", "--no-input", "-v", "0"])
        stack.run("migrate", [python, "manage.py", "migrate", "--no-input", "-v", "0"], timeout=600)
        stack.run("seed", [python, "manage.py", "seed_demo", "--force"], timeout=600)
        stack.run("seed", [python, "manage.py", "shell", "-c", SEED], timeout=120)
        assert collect.wait(timeout=900) == 0, f"collectstatic failed:\n{stack.tail('collectstatic')}"
        stack.add_worker("worker1")
        stack.add_beat("beat1")
        stack.add_web()
    except BaseException:
        stack_stop(stack, drop=created)
        raise
    return stack


def stack_stop(stack: Stack, drop: bool = True) -> None:
    """Stop every process (TERM, then KILL), keep the logs, drop the database, remove the folder."""
    for name in reversed(list(stack.processes)):
        stack.stop(name)
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in stack.tmp.glob("*.log"):
        shutil.copy(log, LOGS / log.name)
    try:
        if drop:
            stack.sql_admin(f'DROP DATABASE IF EXISTS "{stack.db_name}" WITH (FORCE)')
    finally:
        shutil.rmtree(stack.tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly on TERM too
    running = stack_start()
    print(running.webs, running.db_name, running.tmp, flush=True)
    try:
        time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 1800)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stack_stop(running)
