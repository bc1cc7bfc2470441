"""HTTP throughput at 10,000 and at 1,000,000 open cases (issue #13), as production serves it.

    .venv/bin/python bench/http_bench.py [SMALL LARGE]     (defaults 10000 1000000)

Each size gets its own database (`um_perf_bench_<size>` on the server of BENCH_DATABASE_URL
or DATABASE_URL), filled in bulk (bench/http_fill.py), and its own gunicorn, started with the
project's gunicorn.conf.py as production does (DEBUG off, WEB_CONCURRENCY=2 sync workers, the
Redis cache: BENCH_REDIS_URL's database, the next one for the second size). Then wrk with 16
connections against each endpoint for ROUND_SECONDS, each round beside `/healthz` in the
same round, three rounds after an uncounted warm-up round, the two sizes' rounds
interleaved; it prints the median req/s, the share of `/healthz` and p99 per endpoint, and
the ratio 1M / 10k. The databases are dropped at the end unless BENCH_KEEP=1. Needs `wrk`
(apt-get install wrk).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    CONNECTIONS,
    ROOT,
    ROUND_SECONDS,
    ROUNDS,
    database_drop,
    database_url,
    gunicorn,
    healthz_wait,
    measure_interleaved,
    migrate_and_collectstatic,
    production_env,
    wrk_required,
)

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


def endpoints(world: dict, port: int, tmp: Path, size: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    lua = tmp / f"submit-{size}.lua"
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
    return {
        "nurse queue API": (f"{base}/api/v1/queues/nurse/", nurse, None),
        "provider `GET /api/v1/authorizations/`": (f"{base}/api/v1/authorizations/", provider, None),
        "provider case detail": (f"{base}/api/v1/authorizations/{world['office_case']}/", provider, None),
        "nurse queue page": (f"{base}/reviews/queue/", [f"Cookie: sessionid={world['nurse_session']}"], None),
        "submit (POST)": (f"{base}/api/v1/authorizations/", [], str(lua)),
    }


def fill(size: int, url: str, env: dict) -> dict:
    """Fill database `url` with `size` open cases (bench/http_fill.py): the world it printed."""
    filled = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "http_fill.py"), str(size)],
        env={**env, "BENCH_DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = filled.stdout.strip().splitlines()
    print(lines[-2] if len(lines) > 1 else filled.stdout)
    return eval(lines[-1])  # noqa: S307 - our own fill's printed dict


def main() -> None:
    wrk_required()
    sys.path.insert(0, str(ROOT / "bench"))
    from sweep_bench import database_create_if_missing

    sizes = [int(a) for a in sys.argv[1:3]] or [10_000, 1_000_000]
    # A database per size, both filled first, then one gunicorn on each, their rounds
    # interleaved: the two sizes are measured in the same minutes, not one after the other
    # (the machine's speed drifted by a fifth between two such runs, /healthz too).
    server = urlparse(database_url("um_perf_bench"))
    urls = {size: urlunparse(server._replace(path=f"{server.path}_{size}")) for size in sizes}
    redis = urlparse(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    redis_db = int(redis.path.lstrip("/") or 0)
    tmp = Path(tempfile.mkdtemp(prefix="um-http-bench-"))
    # A Redis database each: the two databases' users share ids, and caches key by them.
    envs = {
        size: production_env(urlunparse(redis._replace(path=f"/{redis_db + i}")), tmp) for i, size in enumerate(sizes)
    }
    try:
        worlds = {}
        for size, url in urls.items():
            database_create_if_missing(url)
            migrate_and_collectstatic(envs[size], url)
            worlds[size] = fill(size, url, envs[size])
        with ExitStack() as servers:
            targets = {}
            for size, url in urls.items():
                port = servers.enter_context(gunicorn(envs[size], url, tmp / f"gunicorn-{size}.log"))
                if not healthz_wait(port):
                    sys.exit(f"gunicorn did not answer /healthz:\n{(tmp / f'gunicorn-{size}.log').read_text()[-3000:]}")
                targets[size] = (f"http://127.0.0.1:{port}", endpoints(worlds[size], port, tmp, size))
            figures = measure_interleaved(targets)
    finally:
        for url in urls.values():
            database_drop(url)
        shutil.rmtree(tmp, ignore_errors=True)
    small, large = sizes[0], sizes[-1]
    print(f"\nwrk {CONNECTIONS} connections, {ROUND_SECONDS} s per run, median of {ROUNDS} rounds beside /healthz")
    # The last column: the ratio of the shares of /healthz, each measured beside its own.
    print(f"| endpoint | req/s at {small:,} | req/s at {large:,} | share of `/healthz` at {large:,} | "
          f"p99 at {large:,} | {large:,} / {small:,} | shares {large:,} / {small:,} |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in figures[large]:
        a, b = figures[small][name], figures[large][name]
        a["rate"] = a["rate"] or float("nan")
        share = "1" if name == "/healthz" else f"{100 * b['share']:.1f} %"
        shares = "1" if name == "/healthz" else f"{b['share'] / (a['share'] or float('nan')):.2f}"
        print(
            f"| {name} | {a['rate']:,.1f} | {b['rate']:,.1f} | {share} | {b['p99']:,.0f} ms | "
            f"{b['rate'] / a['rate']:.2f} | {shares} |"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
