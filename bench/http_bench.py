"""HTTP throughput at 10,000 and at 1,000,000 open cases (issue #13), as production serves it.

    .venv/bin/python bench/http_bench.py [SMALL LARGE]     (defaults 10000 1000000)

For each size: fills its own database (`um_perf_bench`, or BENCH_DATABASE_URL) in bulk
(bench/http_fill.py), collects the static files, starts gunicorn with the project's
gunicorn.conf.py as production does (DEBUG off, WEB_CONCURRENCY=2 sync workers, the Redis
cache at BENCH_REDIS_URL), then runs wrk with 16 connections against each endpoint for
ROUND_SECONDS, each round beside `/healthz` in the same round, three rounds after an
uncounted warm-up round, and prints the median req/s, the share of `/healthz` and p99 per
endpoint, and the ratio 1M / 10k. The database is dropped at the end unless BENCH_KEEP=1.
Needs `wrk` (apt-get install wrk).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    measure,
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


def endpoints(world: dict, port: int, tmp: Path) -> dict:
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
    return {
        "nurse queue API": (f"{base}/api/v1/queues/nurse/", nurse, None),
        "provider `GET /api/v1/authorizations/`": (f"{base}/api/v1/authorizations/", provider, None),
        "provider case detail": (f"{base}/api/v1/authorizations/{world['office_case']}/", provider, None),
        "nurse queue page": (f"{base}/reviews/queue/", [f"Cookie: sessionid={world['nurse_session']}"], None),
        "submit (POST)": (f"{base}/api/v1/authorizations/", [], str(lua)),
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
    with gunicorn(env, url, tmp / f"gunicorn-{size}.log") as port:
        healthz_wait(port)
        figures = measure(f"http://127.0.0.1:{port}", endpoints(world, port, tmp), round_label=f"{size:,}: ")
        if not figures["/healthz"]["rate"]:
            print((tmp / f"gunicorn-{size}.log").read_text()[-3000:])
        return figures


def main() -> None:
    wrk_required()
    sys.path.insert(0, str(ROOT / "bench"))
    from sweep_bench import database_create_if_missing

    sizes = [int(a) for a in sys.argv[1:3]] or [10_000, 1_000_000]
    url = database_url("um_perf_bench")
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    tmp = Path(tempfile.mkdtemp(prefix="um-http-bench-"))
    env = production_env(redis, tmp)
    database_create_if_missing(url)
    migrate_and_collectstatic(env, url)
    try:
        figures = {size: run_size(size, url, env, tmp) for size in sizes}
    finally:
        database_drop(url)
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
