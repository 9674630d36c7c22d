"""Page benchmark: the real order page against a bare Starlette + Jinja2 page, and lookup latency
from 1,000 to 1,000,000 orders. Both run under the same server (the portal as `portal serve`:
gunicorn with one uvicorn worker) on loopback and are loaded by the same tool (wrk) with the same
settings. The order page is also served with the analytics counting off, to compare with it on.

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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from portal.demo import SCENARIOS  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
PORTAL = "portal.app:create_app"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER = os.environ.get("BENCH_SERVER", "gunicorn")  # granian: the comparison in docs/deploy.md


@dataclass
class Served:
    url: str
    pid: int  # the server's main process: its workers are its children


def server_command(app: str, port: int, workers: int) -> list[str]:
    """The portal as `portal serve` runs it (gunicorn, uvicorn workers); any other app under the
    same server and worker class."""
    if SERVER == "granian":
        factory = ["--factory"] if app == PORTAL else []
        return [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--log-level", "warning", *factory, app]
    if app == PORTAL:
        return [str(BIN / "portal"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                "--no-mail-worker", "--no-access-log"]
    return [str(BIN / "gunicorn"), "-k", "portal.server.Worker", "-b", f"127.0.0.1:{port}", "-w", str(workers),
            "--log-level", "warning", "--no-control-socket", app]


@contextmanager
def server(app: str, env: dict[str, str], workers: int = 1, stderr=None) -> Iterator[Served]:
    port = free_port()
    process = subprocess.Popen(server_command(app, port, workers), cwd=ROOT, env={**os.environ, **env},
                               stderr=stderr if stderr is not None else subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/healthz" if app == PORTAL else base + "/", timeout=1)
                break
            except httpx.HTTPError:
                assert process.poll() is None, f"the server did not start: {' '.join(process.args)}"
                time.sleep(0.1)
        yield Served(base, process.pid)
    finally:
        process.terminate()
        process.wait(60)


def tree_cpu_seconds(root: int) -> dict[int, float]:
    """User + system CPU of `root` and every process under it (the server and its
    workers), by process."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        tree[pid] = times.get(pid, 0.0)
        frontier += [child for child, parent in parents.items() if parent == pid]
    return tree


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

    def load(served: Served, path: str, script: str | None = None) -> dict[str, float]:
        """wrk's figures, and the server's own CPU per request (which a busy machine moves less)."""
        before = sum(tree_cpu_seconds(served.pid).values())
        figures = wrk(served.url + path, args.seconds, args.connections, script)
        figures["cpu_ms"] = (sum(tree_cpu_seconds(served.pid).values()) - before) * 1000 / max(1, figures["requests"])
        return figures

    results = []
    counting = []  # (size, order page counted, the same page with PORTAL_ANALYTICS_COUNTING=false)
    page_bytes = 0
    with ExitStack() as stack:
        bare_served = None
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
            # The analytics counting (on by default) against the same server without it.
            with server(PORTAL, env) as served, server(PORTAL, {**env, "PORTAL_PAGE_CACHE_SIZE": "0"}) as fresh, \
                    server(PORTAL, {**env, "PORTAL_ANALYTICS_COUNTING": "false"}) as uncounted:
                page_bytes = len(httpx.get(f"{served.url}/{path}").content)
                if bare_served is None:
                    # The yardstick renders a page of the same size as the real one.
                    bare_served = stack.enter_context(server("bench.bare_app:app",
                                                             {"BENCH_PAGE_BYTES": str(page_bytes)}))
                # Warm up, then load the three in turn, so that a noisy neighbour on the machine
                # hits all of them alike; the medians are compared.
                for url in (bare_served.url + "/", f"{served.url}/{path}", f"{fresh.url}/{path}",
                            f"{uncounted.url}/{path}"):
                    wrk(url, 2, args.connections)
                script = lookup_script(served.url, "bench", size, workdir / "lookup.lua")
                bare, cached, uncached, lookups, not_counted = [], [], [], [], []
                for _ in range(args.rounds):
                    bare.append(load(bare_served, "/"))
                    cached.append(load(served, f"/{path}"))
                    not_counted.append(load(uncounted, f"/{path}"))
                    uncached.append(load(fresh, f"/{path}"))
                    lookups.append(load(served, "", script))
            results.append((size, median(bare), median(cached), median(uncached), median(lookups)))
            counting.append((size, median(cached), median(not_counted)))

    print()
    print(f"order page ({page_bytes:,} bytes), wrk -t2 -c{args.connections} -d{args.seconds}s, one worker each "
          f"({SERVER}), median of {args.rounds} alternating rounds; server CPU per request")
    for size, bare, cached, uncached, _ in results:
        print(f"  {size:>9,} orders:")
        print(f"    bare Starlette+Jinja2       : {bare['rps']:8.0f} req/s   p99 {bare['p99_ms']:7.1f} ms   "
              f"{bare['cpu_ms']:.2f} ms CPU")
        for label, page in (("portal order page", cached), ("portal, page cache off", uncached)):
            print(f"    {label:28s}: {page['rps']:8.0f} req/s   p99 {page['p99_ms']:7.1f} ms   "
                  f"{page['cpu_ms']:.2f} ms CPU   ratio {page['rps'] / bare['rps']:.2f}x  (non-2xx {page['errors']})")
    print(f"guest lookup (POST, 5,000 random existing orders, answers 303), median of {args.rounds} rounds:")
    for size, *_, lookup in results:
        print(f"  {size:>9,} orders: {lookup['rps']:8.0f} req/s   p99 {lookup['p99_ms']:7.1f} ms   "
              f"{lookup['cpu_ms']:.2f} ms CPU   (non-2xx/3xx {lookup['errors']})")
    print(f"analytics counting (target: the counted page within 5 % of the uncounted), median of {args.rounds} rounds:")
    for size, counted, uncounted in counting:
        print(f"  {size:>9,} orders: counted {counted['rps']:8.0f} req/s, {counted['cpu_ms']:.2f} ms CPU; "
              f"not counted {uncounted['rps']:8.0f} req/s, {uncounted['cpu_ms']:.2f} ms CPU; "
              f"ratio {counted['rps'] / uncounted['rps']:.3f} (CPU {counted['cpu_ms'] / uncounted['cpu_ms']:.3f})")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
