"""HTTP throughput at 10,000 and at 1,000,000 open cases (issue #13), as production serves it.

    .venv/bin/python bench/http_bench.py [SMALL LARGE]     (defaults 10000 1000000)

For each size: fills its own database (`um_perf_bench`, or BENCH_DATABASE_URL) in bulk
(bench/http_fill.py), collects the static files, starts gunicorn with the project's
gunicorn.conf.py as production does (DEBUG off, WEB_CONCURRENCY=2 sync workers, the Redis
cache at BENCH_REDIS_URL), then runs wrk with 16 connections against each endpoint for
ROUND_SECONDS, each round beside `/healthz` in the same round, three rounds, and prints the
median req/s, the share of `/healthz` and p99 per endpoint, and the ratio 1M / 10k. The
database is dropped at the end unless BENCH_KEEP=1. Needs `wrk` (apt-get install wrk).
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
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUNDS = 3
ROUND_SECONDS = int(os.environ.get("BENCH_ROUND_SECONDS", "5"))
CONNECTIONS = 16
SECRET_KEY = "bench-only-secret-key-http"  # noqa: S105 - synthetic bench only; the session the fill signs in is valid for gunicorn too

SUBMIT_LUA = """
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + id)
end
request = function()
  local member = math.random(0, MEMBERS - 1)
  local body = string.format([[{"member_number": "BM%07d", "member_date_of_birth": "1970-01-01",
    "requesting_provider_npi": "SURGEON", "servicing_provider_npi": "OFFICE",
    "service_category": "outpatient_procedure", "review_type": "prospective", "urgency": "standard",
    "diagnosis_codes": ["M17.11"], "place_of_service": "22", "confirm_duplicate": true,
    "clinical_summary": "Synthetic bench request.",
    "lines": [{"code_system": "CPT", "code": "27447", "units": 1, "start_date": "START", "end_date": "START"}]}]],
    member)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Token TOKEN"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, *, headers=(), script: str | None = None) -> tuple[float, float]:
    """(requests per second, p99 in ms) of one wrk run; non-2xx answers are not counted."""
    argv = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{ROUND_SECONDS}s", "--latency", "--timeout", "30s"]
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


def measure(size: int, world: dict, env: dict, port: int, tmp: Path) -> dict:
    base = f"http://127.0.0.1:{port}"
    lua = tmp / "submit.lua"
    start = time.strftime("%Y-%m-%d", time.localtime(time.time() + 20 * 86400))
    lua.write_text(
        SUBMIT_LUA.replace("MEMBERS", str(world["members"]))
        .replace("SURGEON", world["surgeon_npi"])
        .replace("OFFICE", world["office_npi"])
        .replace("START", start)
        .replace("TOKEN", world["provider_token"])
    )
    provider = [f"Authorization: Token {world['provider_token']}"]
    nurse = [f"Authorization: Token {world['nurse_token']}"]
    endpoints = {
        "nurse queue API": (f"{base}/api/v1/queues/nurse/", nurse, None),
        "provider `GET /api/v1/authorizations/`": (f"{base}/api/v1/authorizations/", provider, None),
        "provider case detail": (f"{base}/api/v1/authorizations/{world['office_case']}/", provider, None),
        "nurse queue page": (f"{base}/reviews/queue/", [f"Cookie: sessionid={world['nurse_session']}"], None),
        "submit (POST)": (f"{base}/api/v1/authorizations/", [], str(lua)),
    }
    results = {name: [] for name in ["/healthz", *endpoints]}
    for round_number in range(ROUNDS):
        healthz = wrk(f"{base}/healthz")
        results["/healthz"].append((*healthz, healthz[0]))
        for name, (url, headers, script) in endpoints.items():
            rate, p99 = wrk(url, headers=headers, script=script)
            results[name].append((rate, p99, healthz[0]))
        print(f"  {size:,}: round {round_number + 1} done")
    return {
        name: {
            "rate": statistics.median(r for r, _p, _h in rows),
            "share": statistics.median(r / h if h else 0 for r, _p, h in rows),
            "p99": statistics.median(p for _r, p, _h in rows),
        }
        for name, rows in results.items()
    }


def run_size(size: int, url: str, env: dict, tmp: Path) -> dict:
    fill = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "http_fill.py"), str(size)],
        env={**env, "BENCH_DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    print(fill.stdout.splitlines()[-2] if len(fill.stdout.splitlines()) > 1 else fill.stdout)
    world = eval(fill.stdout.strip().splitlines()[-1])  # noqa: S307 - our own fill's printed dict
    port = free_port()
    log = open(tmp / f"gunicorn-{size}.log", "w")  # noqa: SIM115
    web = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
        env={**env, "DATABASE_URL": url, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": ""},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Both workers booted: /healthz answers (the master accepts connections earlier).
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        time.sleep(5)
        figures = measure(size, world, env, port, tmp)
        if not figures["/healthz"]["rate"]:
            log.flush()
            print((tmp / f"gunicorn-{size}.log").read_text()[-3000:])
        return figures
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=60)
        log.close()


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    sys.path.insert(0, str(ROOT / "bench"))
    from http_fill import bench_database_url
    from sweep_bench import database_create_if_missing

    sizes = [int(a) for a in sys.argv[1:3]] or [10_000, 1_000_000]
    url = bench_database_url()
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    tmp = Path(tempfile.mkdtemp(prefix="um-http-bench-"))
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
    database_create_if_missing(url)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    try:
        figures = {size: run_size(size, url, env, tmp) for size in sizes}
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
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
        shutil.rmtree(tmp, ignore_errors=True)
    small, large = sizes[0], sizes[-1]
    print(f"\nwrk {CONNECTIONS} connections, {ROUND_SECONDS} s per run, median of {ROUNDS} rounds beside /healthz")
    print(f"| endpoint | req/s at {small:,} | req/s at {large:,} | share of `/healthz` | p99 at {large:,} | "
          f"{large:,} / {small:,} |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for name in figures[large]:
        a, b = figures[small][name], figures[large][name]
        a["rate"] = a["rate"] or float("nan")
        share = "1" if name == "/healthz" else f"{100 * b['share']:.1f} %"
        print(
            f"| {name} | {a['rate']:,.1f} | {b['rate']:,.1f} | {share} | {b['p99']:,.0f} ms | "
            f"{b['rate'] / a['rate']:.2f} |"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
