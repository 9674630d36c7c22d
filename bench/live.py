"""Live-update benchmark: what a poll costs next to a page render, and 1,000 idle SSE streams.

1. One server worker (`portal serve`) on loopback, loaded by wrk: the order page rendered (`?lang=en`, which is
   never served from the page cache, so every request queries and renders), the same page from the page
   cache, and a panel poll that answers 304 (If-None-Match with the panel's current ETag).
2. The same server holds N idle SSE streams (default 1,000) from this process; every stream must
   receive a heartbeat, pages are measured again while they are open, then one shipment posted
   through the API must reach every stream.

    python bench/live.py [--streams 1000] [--seconds 8] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.run import PORTAL, PYTHON, SERVER, server, wrk  # noqa: E402
from tests.sse_client import Stream  # noqa: E402

HEARTBEAT_SECONDS = 5


def cache_busting_script(path: Path) -> str:
    """A wrk script asking for the page with `?lang=en`: a shopper picking a language is never
    served from the page cache (the answer sets a cookie), so each request is a fresh render."""
    path.write_text("""
request = function()
  return wrk.format(nil, wrk.path .. "?lang=en")
end
""")
    return str(path)


def measure_pages(base: str, page: str, seconds: int, connections: int, workdir: Path) -> dict[str, dict]:
    with httpx.Client(base_url=base) as client:
        etag = client.get(f"{page}?panel=status", headers={"HX-Request": "true"}).headers["etag"]
        assert client.get(f"{page}?panel=status", headers={"HX-Request": "true", "If-None-Match": etag}
                          ).status_code == 304
    poll = ["-H", "HX-Request: true", "-H", f"If-None-Match: {etag}"]
    wrk(base + page, 2, connections)  # warm-up
    return {
        "rendered": wrk(base + page, seconds, connections, cache_busting_script(workdir / "bust.lua")),
        "cached": wrk(base + page, seconds, connections),
        "poll_304": wrk(base + page + "?panel=status", seconds, connections, extra=poll),
    }


async def hold_streams(host: str, port: int, path: str, count: int) -> tuple[list[Stream], float]:
    started = time.monotonic()
    streams: list[Stream] = []
    for offset in range(0, count, 100):  # in batches, like pages opening over a moment
        streams += await asyncio.gather(*(Stream.open(host, port, path) for _ in range(min(100, count - offset))))
    return streams, time.monotonic() - started


async def first_message(stream: Stream, timeout: float) -> bool:
    try:
        return await stream.next(timeout) is not None
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        return False


async def first_event(stream: Stream, timeout: float) -> float | None:
    try:
        events = await stream.events(1, timeout)
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        return None
    return time.monotonic() if events and events[0].event.startswith("panel-") else None


async def streams_scenario(base: str, page: str, key: str, count: int, seconds: int, connections: int,
                           workdir: Path) -> dict:
    host, port = base.split("://", 1)[1].split(":")
    async with httpx.AsyncClient(base_url=base) as client:
        events_path = re.search(r'sse-connect="([^"]+)"', (await client.get(page)).text).group(1).replace("&amp;", "&")
    streams, opening = await hold_streams(host, int(port), events_path, count)
    accepted = sum(1 for s in streams if s.status == 200)
    beats = await asyncio.gather(*(first_message(s, HEARTBEAT_SECONDS * 2 + 2) for s in streams))
    pages = await asyncio.to_thread(wrk, base + page, seconds, connections,
                                    cache_busting_script(workdir / "bust.lua"))
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base) as client:
        posted = await client.post("/api/v1/orders/1007/shipments", headers={"Authorization": f"Bearer {key}"},
                                   json={"tracking_number": "1Z999AA10123456784"})
    arrivals = await asyncio.gather(*(first_event(s, 10) for s in streams))
    for stream in streams:
        stream.close()
    received = [t - started for t in arrivals if t is not None]
    return {"opened": accepted, "opening_s": opening, "heartbeats": sum(beats), "pages": pages,
            "posted": posted.status_code, "fanout_received": len(received),
            "fanout_all_s": max(received) if received else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench-live does it)")
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-live-"))
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'live.db'}", "PORTAL_SECRET_KEY": "bench-secret",
           "PORTAL_INSTANCE_DIR": str(workdir), "PORTAL_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
           # Every stream comes from this one loopback client here; in production the bound stays low.
           "PORTAL_LIVE_STREAM_RATE_LIMIT": f"{args.streams + 10}/minute",
           "PORTAL_LIVE_MAX_STREAMS": str(args.streams + 10)}
    os.environ.update(env)
    generate(env["PORTAL_DATABASE_URL"], 1000)
    cli = [PYTHON, "-m", "portal.cli"]
    link = subprocess.run([*cli, "link", "bench", "#1007"], capture_output=True, text=True, check=True).stdout.strip()
    key = subprocess.run([*cli, "apikey", "create", "bench"], capture_output=True, text=True, check=True
                         ).stdout.strip().split()[-1]
    page = "/" + link.split("://", 1)[1].split("/", 1)[1]
    with server(PORTAL, env) as served:
        base = served.url
        figures = measure_pages(base, page, args.seconds, args.connections, workdir)
        live = asyncio.run(streams_scenario(base, page, key, args.streams, args.seconds, args.connections, workdir))

    rendered, cached, poll = figures["rendered"], figures["cached"], figures["poll_304"]
    print()
    print(f"order page vs panel poll, wrk -t2 -c{args.connections} -d{args.seconds}s, one worker ({SERVER})")
    for name, result in (("page, rendered", rendered), ("page, page cache", cached), ("panel poll, 304", poll)):
        print(f"  {name:<17}: {result['rps']:8.0f} req/s   p99 {result['p99_ms']:7.1f} ms   (errors {result['errors']})")
    ratio = poll["rps"] / rendered["rps"]
    print(f"  a 304 poll costs 1/{ratio:.1f} of a rendered page  (target: at most 1/5)  "
          f"{'OK' if ratio >= 5 else 'FAIL'}")
    print(f"{args.streams:,} idle SSE streams (heartbeat every {HEARTBEAT_SECONDS}s):")
    print(f"  opened {live['opened']:,} in {live['opening_s']:.1f}s; {live['heartbeats']:,} received a heartbeat")
    print(f"  pages while they are open: {live['pages']['rps']:.0f} req/s   p99 {live['pages']['p99_ms']:.1f} ms"
          f"   (errors {live['pages']['errors']})")
    print(f"  one shipment posted (HTTP {live['posted']}): {live['fanout_received']:,} streams told, "
          f"the last {live['fanout_all_s'] * 1000:.0f} ms after the POST began")
    held = live["opened"] == args.streams and live["heartbeats"] == args.streams
    print(f"  {'OK' if held and live['fanout_received'] == args.streams else 'FAIL'}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
