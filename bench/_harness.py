"""The HTTP benches' shared harness (bench/http_bench.py, referral_bench.py, stays_bench.py):
the environment gunicorn runs in as production (DEBUG off, WEB_CONCURRENCY=2 sync workers,
the Redis cache), gunicorn started with the project's gunicorn.conf.py and stopped, wrk runs
beside `/healthz`, the median of the rounds, and the bench database dropped at the end.
Not a bench itself: `make bench` runs it and nothing happens.
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUNDS = 3
ROUND_SECONDS = int(os.environ.get("BENCH_ROUND_SECONDS", "5"))
WARM_UP_SECONDS = 2
CONNECTIONS = 16
SECRET_KEY = "bench-only-secret-key-http"  # noqa: S105 - synthetic bench only; the session the fill signs in is valid for gunicorn too
# The fills' INSERTs predate some NOT NULL columns without a database default: in the
# throwaway bench database they get one by type (fill_defaults).
EMPTY_BY_TYPE = {
    "jsonb": "'{}'::jsonb",
    "character varying": "''",
    "text": "''",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
}
CASE_COLUMNS_FILLED = (
    "id",
    "reference",
    "kind",
    "member_id",
    "requesting_organization_id",
    "servicing_organization_id",
    "received_at",
    "decision_due_at",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, *, headers=(), script: str | None = None, seconds: int = ROUND_SECONDS) -> tuple[float, float]:
    """(requests per second, p99 in ms) of one wrk run; non-2xx answers are not counted."""
    argv = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for header in headers:
        argv += ["-H", header]
    if script:
        argv += ["-s", script]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if not total:
        print(f"    {url}: no answer\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    seconds = float(re.search(r"requests in ([\d.]+)(m?s)", out).group(1))
    unit = re.search(r"requests in [\d.]+(m?s)", out).group(1)
    seconds = seconds / 1000 if unit == "ms" else seconds
    good = total - (int(bad.group(1)) if bad else 0)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    if bad:
        print(f"    {url}: {bad.group(1)} of {total} answers not 2xx")
    return good / seconds, p99_ms


def wrk_required() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")


def database_url(name: str) -> str:
    """BENCH_DATABASE_URL, else database `name` on the server of DATABASE_URL."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/um_portal"))
    if not base.scheme.startswith("postgres"):
        base = urlparse("postgres://postgres@127.0.0.1:5432/um_portal")
    return urlunparse(base._replace(path=f"/{name}"))


def database_drop(url: str) -> None:
    """Drop the bench database, unless BENCH_KEEP=1."""
    if os.environ.get("BENCH_KEEP") == "1":
        return
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
    )
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')
    conn.close()


def production_env(redis: str, tmp: Path) -> dict:
    """This process's environment as production runs the portal (DEBUG off, two sync
    workers, the Redis cache at `redis`), static and private files under `tmp`."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "CACHE_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="um_portal.settings",
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        WEB_CONCURRENCY="2",
        API_THROTTLE_USER="10000000/minute",
        CACHE_URL=redis.replace("redis://", "rediscache://"),
        REDIS_URL=redis,
        CELERY_BROKER_URL=redis,
        MFA_ENFORCED="0",  # the nurse's session is signed in directly (no second factor to type)
        STATIC_ROOT=str(tmp / "static"),
        PRIVATE_STORAGE_ROOT=str(tmp / "private"),
        LOG_LEVEL="WARNING",
    )
    return env


def migrate_and_collectstatic(env: dict, url: str) -> None:
    for command in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *command], env={**env, "DATABASE_URL": url}, cwd=ROOT, check=True
        )


def fill_defaults(cursor, table: str, kinds=tuple(EMPTY_BY_TYPE), *, skip=()) -> None:
    """Give the NOT NULL columns of `table` without a default, of a type in `kinds` and not
    in `skip`, the empty value of their type as default (throwaway bench databases only)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    for column, kind in cursor.fetchall():
        if kind in kinds and column not in skip:
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {EMPTY_BY_TYPE[kind]}')


def fill_run(script: str, env: dict, url: str, *args: str) -> dict:
    """Run a fill script (`python -c`, the database URL and `args` as its arguments), print
    its last two lines but one and return the dict its last line prints."""
    filled = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, url, *args],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if filled.returncode:
        sys.exit(f"The fill failed:\n{filled.stdout[-2000:]}\n{filled.stderr[-4000:]}")
    lines = filled.stdout.strip().splitlines()
    print("\n".join(lines[-3:-1]))
    return eval(lines[-1])  # noqa: S307 - our own fill's printed dict


@contextmanager
def gunicorn(env: dict, url: str, log_path: Path):
    """gunicorn with the project's gunicorn.conf.py on a free port (yielded), its output in
    `log_path`; stopped (the whole process group) on leaving."""
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115
    web = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
        env={**env, "DATABASE_URL": url, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": ""},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield port
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=60)
        log.close()


def healthz_wait(port: int) -> bool:
    """True once both workers have booted: /healthz answers (the master accepts connections
    earlier), then 5 s more; False if it did not answer within 2 minutes."""
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:  # noqa: PLR2004
                    break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        return False
    time.sleep(5)
    return True


def measure(base: str, endpoints: dict, *, round_label: str = "") -> dict:
    """Each endpoint (name: (url, headers[, wrk script])) by wrk, each round beside
    `/healthz` in the same round, ROUNDS rounds after a warm-up round: the median req/s,
    share of /healthz, p99."""
    return measure_interleaved({None: (base, endpoints)}, round_label=round_label)[None]


def measure_interleaved(targets: dict, *, round_label: str = "") -> dict:
    """`measure` for several servers ({label: (base, endpoints)}), their rounds interleaved
    (round 1 of each, then round 2 of each...), so that a machine slowing down or speeding
    up over the run weighs on every target alike: {label: figures}."""
    results = {label: {name: [] for name in ["/healthz", *endpoints]} for label, (_b, endpoints) in targets.items()}
    # A warm-up round, not counted: each worker's first requests open its database and
    # Redis connections and fill its per-process caches (templates, rules, permission ids).
    for base, endpoints in targets.values():
        wrk(f"{base}/healthz", seconds=WARM_UP_SECONDS)
        for url, headers, *script in endpoints.values():
            wrk(url, headers=headers, script=script[0] if script else None, seconds=WARM_UP_SECONDS)
    for round_number in range(ROUNDS):
        for label, (base, endpoints) in targets.items():
            healthz = wrk(f"{base}/healthz")
            results[label]["/healthz"].append((*healthz, healthz[0]))
            for name, (url, headers, *script) in endpoints.items():
                rate, p99 = wrk(url, headers=headers, script=script[0] if script else None)
                results[label][name].append((rate, p99, healthz[0]))
        print(f"  {round_label}round {round_number + 1} done")
    return {
        label: {
            name: {
                "rate": statistics.median(r for r, _p, _h in rows),
                "share": statistics.median(r / h if h else 0 for r, _p, h in rows),
                "p99": statistics.median(p for _r, p, _h in rows),
            }
            for name, rows in by_name.items()
        }
        for label, by_name in results.items()
    }


def bench_one_size(*, name: str, redis: str, fill: str, size: int, endpoints, column: str) -> None:
    """The whole run of a bench at one size: database `um_<name>_bench` (or
    BENCH_DATABASE_URL) created and migrated, filled by the script `fill` (given the URL and `size`), gunicorn
    as production, `endpoints(world, base)` measured, the database dropped (unless
    BENCH_KEEP=1), then the table (`column` heads the req/s column) and the figures as JSON."""
    wrk_required()
    sys.path.insert(0, str(ROOT / "bench"))
    from sweep_bench import database_create_if_missing

    url = database_url(f"um_{name}_bench")
    tmp = Path(tempfile.mkdtemp(prefix=f"um-{name}-bench-"))
    env = production_env(os.environ.get("BENCH_REDIS_URL", redis), tmp)
    database_create_if_missing(url)
    try:
        migrate_and_collectstatic(env, url)
        world = fill_run(fill, env, url, str(size))
        with gunicorn(env, url, tmp / "gunicorn.log") as port:
            if not healthz_wait(port):
                sys.exit(f"gunicorn did not answer /healthz:\n{(tmp / 'gunicorn.log').read_text()[-3000:]}")
            base = f"http://127.0.0.1:{port}"
            figures = measure(base, endpoints(world, base))
    finally:
        database_drop(url)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nwrk {CONNECTIONS} connections, {ROUND_SECONDS} s per run, median of {ROUNDS} rounds beside /healthz")
    print(f"| endpoint | {column} | share of `/healthz` | p99 |")
    print("| --- | --- | --- | --- |")
    for name, f in figures.items():
        share = "1" if name == "/healthz" else f"{100 * f['share']:.1f} %"
        print(f"| {name} | {f['rate']:,.1f} | {share} | {f['p99']:,.0f} ms |")
    print(json.dumps(figures))
