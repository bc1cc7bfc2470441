"""CPU per request at 1,000,000 open cases (issue #13): the web process's and its PostgreSQL
backend's, for the read endpoints of bench/http_bench.py.

    .venv/bin/python bench/cpu_per_request.py [SIZE [REQUESTS]]     (defaults 1000000 600)
    BENCH_COMPARE=/path/to/another/checkout .venv/bin/python bench/cpu_per_request.py

Throughput beside `/healthz` (bench/http_bench.py) is what the issue's targets are set in,
but on a shared machine it moves by a tenth to a fifth between runs of the same code. CPU
time does not count the time a process waits for the machine (it still moved by up to a
tenth between runs of the same code here: compare versions over several runs, and trust
statement counts and profiles for small changes). Each endpoint is asked REQUESTS times in
one process through Django's whole handler (middleware included, as production runs it:
DEBUG off, the Redis cache, prepared statements), and the process's CPU time and its
database backend's (from /proc, so PostgreSQL must run on this machine) are divided by
REQUESTS.
With BENCH_COMPARE, the other checkout's code is measured against the same database, the
two alternating four times, and the ratio printed. The database (`um_perf_cpu_<SIZE>`,
filled by bench/http_fill.py) is dropped at the end unless BENCH_KEEP=1.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ROOT, database_drop, database_url, migrate_and_collectstatic, production_env  # noqa: E402

ALTERNATIONS = 4
ENDPOINTS = ("nurse queue API", "provider list", "provider case detail", "nurse queue page")


def measure(world: dict, requests: int) -> dict:
    """In the measuring process (Django set up from the environment): {endpoint: (process CPU
    ms, backend CPU ms, wall ms) per request}."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    tick = os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    provider = {"HTTP_AUTHORIZATION": f"Token {world['provider_token']}"}
    endpoints = {
        "nurse queue API": ("/api/v1/queues/nurse/", {"HTTP_AUTHORIZATION": f"Token {world['nurse_token']}"}),
        "provider list": ("/api/v1/authorizations/", provider),
        "provider case detail": (f"/api/v1/authorizations/{world['office_case']}/", provider),
        "nurse queue page": ("/reviews/queue/", {}),
    }
    figures = {}
    for name, (url, headers) in endpoints.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = world["nurse_session"]
        for _ in range(50):  # warm: connections, prepared statements, per-process caches
            answer = client.get(url, **headers)
        if answer.status_code != 200:  # noqa: PLR2004
            sys.exit(f"{name}: {answer.status_code} {answer.content[:300]!r}")
        backend, process, wall = backend_cpu(), time.process_time(), time.perf_counter()
        for _ in range(requests):
            client.get(url, **headers)
        backend = backend_cpu() - backend
        process, wall = time.process_time() - process, time.perf_counter() - wall
        figures[name] = (1000 * process / requests, 1000 * backend / requests, 1000 * wall / requests)
    return figures


def run(checkout: str, env: dict, world: dict, requests: int) -> dict:
    """`measure` in a process of `checkout`'s code."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve()), "--measure", json.dumps(world), str(requests)],
        env={**env, "PYTHONPATH": checkout},
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"measuring {checkout} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(json.loads(sys.argv[2]), int(sys.argv[3]))))
        return
    from http_bench import fill
    from sweep_bench import database_create_if_missing

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 600  # noqa: PLR2004
    compare = os.environ.get("BENCH_COMPARE", "")
    server = urlparse(database_url("um_perf_cpu"))
    url = urlunparse(server._replace(path=f"{server.path}_{size}"))
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    tmp = Path(tempfile.mkdtemp(prefix="um-cpu-bench-"))
    env = {**production_env(redis, tmp), "DATABASE_URL": url}
    checkouts = {"this checkout": str(ROOT)} | ({"compared": compare} if compare else {})
    try:
        database_create_if_missing(url)
        migrate_and_collectstatic(env, url)
        world = fill(size, url, env)
        results = {label: [] for label in checkouts}
        for i in range(ALTERNATIONS if compare else 2):
            for label, checkout in checkouts.items() if i % 2 == 0 else reversed(checkouts.items()):
                results[label].append(run(checkout, env, world, requests))
    finally:
        database_drop(url)
        shutil.rmtree(tmp, ignore_errors=True)
    runs = len(results["this checkout"])
    print(f"\nCPU per request at {size:,} open cases, ms (median of {runs} runs of {requests} requests)")
    print("| endpoint | checkout | web process | PostgreSQL backend | both | wall |")
    print("| --- | --- | --- | --- | --- | --- |")
    both = {}
    for name in ENDPOINTS:
        for label, runs in results.items():
            process, backend, wall = (statistics.median(run[name][k] for run in runs) for k in range(3))
            both[label, name] = process + backend
            print(f"| {name} | {label} | {process:.2f} | {backend:.2f} | {process + backend:.2f} | {wall:.2f} |")
    if compare:
        print("\nthis checkout / compared (CPU, both):")
        for name in ENDPOINTS:
            print(f"  {name}: {both['this checkout', name] / both['compared', name]:.3f}")


if __name__ == "__main__":
    main()
