"""Page benchmark: the real order page against a bare Starlette + Jinja2 page, and lookup latency
from 1,000 to 1,000,000 orders. Both servers run under uvicorn (one worker) on loopback and are
loaded by the same tool (wrk) with the same settings.

    python bench/run.py [--orders 1000,1000000] [--seconds 10] [--connections 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from portal.demo import SCENARIOS  # noqa: E402

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(app: str, env: dict[str, str], factory: bool = False, workers: int = 1, stderr=None):
    port = free_port()
    args = [PYTHON, "-m", "portal.serving", app, "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            "--log-level", "warning", "--workers", str(workers)] + (["--factory"] if factory else [])
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/healthz" if factory else base + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def wrk(url: str, seconds: int, connections: int, script: str | None = None,
        extra: list[str] | None = None) -> dict[str, float]:
    """`extra`: more wrk arguments, e.g. ["-H", "If-None-Match: ..."]."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *(extra or []), url]
    if script:
        args[1:1] = ["-s", script]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return wrk_figures(out)


def wrk_figures(out: str) -> dict[str, float]:
    """Requests/s, p50 and p99 latency (ms), requests and non-2xx/3xx answers from wrk --latency output."""
    def percentile(label: str) -> float:
        found = re.search(label + r"%\s+([\d.]+)(us|ms|s)", out)
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50_ms": percentile("50"), "p99_ms": percentile("99"),
            "requests": int(requests.group(1)), "errors": int(non2xx.group(1)) if non2xx else 0}


def lookup_script(base: str, shop: str, orders: int, path: Path) -> str:
    """A wrk script that posts guest lookups for random existing orders (all should redirect)."""
    with httpx.Client(base_url=base) as client:
        page = client.get(f"/{shop}/track")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cookie = client.cookies["portal_session"]
    # Bulk orders are numbered from 100,000 + the detailed demo orders generate() adds first.
    first = 100_000 + len(SCENARIOS)
    # Enough distinct orders that the lookups read the table, not a few cached pages.
    numbers = random.sample(range(first, first + orders - len(SCENARIOS)), min(5_000, orders - len(SCENARIOS)))
    bodies = ",".join(
        f'"csrf_token={token}&order_number=%23{n}&contact=buyer{n}%40example.com"' for n in numbers
    )
    path.write_text(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "portal_session={cookie}"
local bodies = {{{bodies}}}
request = function()
  return wrk.format(nil, "/{shop}/track", nil, bodies[math.random(#bodies)])
end
""")
    return str(path)


def median(results: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median throughput (its own p99 with it)."""
    return sorted(results, key=lambda r: r["rps"])[len(results) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", default="1000,1000000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds that load the bare page and the portal in turn (medians are reported)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it)")
    sizes = [int(n) for n in args.orders.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    load = lambda url, script=None: wrk(url, args.seconds, args.connections, script)  # noqa: E731
    results = []
    page_bytes = 0
    with ExitStack() as stack:
        bare_base = None
        for size in sizes:
            db = workdir / f"bench-{size}.db"
            env = {"PORTAL_DATABASE_URL": f"sqlite:///{db}", "PORTAL_SECRET_KEY": "bench-secret",
                   "PORTAL_LOOKUP_RATE_LIMIT": "100000000/minute", "PORTAL_INSTANCE_DIR": str(workdir)}
            os.environ.update(env)
            print(f"generating {size:,} orders ...", flush=True)
            generate(env["PORTAL_DATABASE_URL"], size)
            link = subprocess.run([PYTHON, "-m", "portal.cli", "link", "bench", "#1007"], capture_output=True,
                                  text=True, check=True, env={**os.environ, **env}).stdout.strip()
            path = link.split("://", 1)[1].split("/", 1)[1]
            with server("portal.app:create_app", env, factory=True) as base, \
                    server("portal.app:create_app", {**env, "PORTAL_PAGE_CACHE_SIZE": "0"}, factory=True) as fresh:
                page_bytes = len(httpx.get(f"{base}/{path}").content)
                if bare_base is None:
                    # The yardstick renders a page of the same size as the real one.
                    bare_base = stack.enter_context(server("bench.bare_app:app", {"BENCH_PAGE_BYTES": str(page_bytes)}))
                # Warm up, then load the three in turn, so that a noisy neighbour on the machine
                # hits all of them alike; the medians are compared.
                for url in (bare_base + "/", f"{base}/{path}", f"{fresh}/{path}"):
                    wrk(url, 2, args.connections)
                script = lookup_script(base, "bench", size, workdir / "lookup.lua")
                bare, cached, uncached, lookups = [], [], [], []
                for _ in range(args.rounds):
                    bare.append(load(bare_base + "/"))
                    cached.append(load(f"{base}/{path}"))
                    uncached.append(load(f"{fresh}/{path}"))
                    lookups.append(load(base, script))
            results.append((size, median(bare), median(cached), median(uncached), median(lookups)))

    print()
    print(f"order page ({page_bytes:,} bytes), wrk -t2 -c{args.connections} -d{args.seconds}s, one uvicorn worker "
          f"each, median of {args.rounds} alternating rounds")
    for size, bare, cached, uncached, _ in results:
        print(f"  {size:>9,} orders:")
        print(f"    bare Starlette+Jinja2       : {bare['rps']:8.0f} req/s   p99 {bare['p99_ms']:7.1f} ms")
        for label, page in (("portal order page", cached), ("portal, page cache off", uncached)):
            print(f"    {label:28s}: {page['rps']:8.0f} req/s   p99 {page['p99_ms']:7.1f} ms   "
                  f"ratio {page['rps'] / bare['rps']:.2f}x  (non-2xx {page['errors']})")
    print(f"guest lookup (POST, 5,000 random existing orders, answers 303), median of {args.rounds} rounds:")
    for size, *_, lookup in results:
        print(f"  {size:>9,} orders: {lookup['rps']:8.0f} req/s   p99 {lookup['p99_ms']:7.1f} ms   "
              f"(non-2xx/3xx {lookup['errors']})")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
