"""Ingestion benchmark: signed Shopify order webhooks and bulk tracking events into SQLite (or the
empty database `--database-url` names), with shoppers reading order pages at the same time. The
real portal runs as `portal serve` on loopback.

    python bench/ingest.py [--seconds 15] [--workers 2] [--webhook-rate 300] [--phase webhooks]
                           [--database-url postgresql+psycopg://…]

Phases (each `--seconds` long): webhooks, events, then both at once; in every phase shoppers
read signed order pages at `--page-rate` per second. Clients:
- webhooks: `orders/create` (new orders) and `orders/updated` (newer versions of them): the
  project's Shopify fixture with fresh ids above 2**53, numbers and times, HMAC-signed like
  Shopify does, all built before the clock starts, and posted at `--webhook-rate` per second in
  open loop as a platform sends them (bench/webhook_rate.py, at most `--webhook-clients` in
  flight), or with `--webhook-rate 0` by wrk (C) in closed loop on `--webhook-clients`
  connections. Counted by the receipts the server committed (each delivery applied exactly once);
- events: Python threads posting `POST /api/v1/events` with `--batch` new events each for seeded parcels;
- page readers: Python threads opening signed order-page links at a fixed rate.
It prints requests/s and webhooks or events/s, latency percentiles, every non-2xx status, the
server's own CPU time, and counts `database is locked` in the server log (the answer must be zero).
"""
from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PORTAL, SERVER, Served, server, tree_cpu_seconds, wrk_figures  # noqa: E402

SHOP = "bench"
SECRET = "bench-webhook-secret"
TEMPLATE = json.loads((ROOT / "tests" / "fixtures" / "shopify" / "orders-create.json").read_text())
STATUSES = ("InfoReceived", "InTransit", "in_transit", "OutForDelivery", "Delivered")
# The seeded orders' goods (NOK): a shop's prices repeat, its orders' totals mostly do not.
CATALOGUE = (("Ullgenser", 499), ("Votter", 149), ("Lue", 199), ("Skjerf", 249), ("Sokker", 89),
             ("Jakke", 1299), ("Bukse", 699), ("Støvletter", 999), ("Vanter", 179), ("Pledd", 899))
SHIPPING = (0, 49, 99)


@dataclass
class Seeded:
    api_key: str
    tracking_numbers: list[str]
    pages: list[str]


def seed(env: dict[str, str], orders: int) -> Seeded:
    """A merchant with a webhook secret, an API key and `orders` orders with one parcel each."""
    os.environ.update(env)
    from portal.app import create_app
    from portal.merchants import create_api_key, create_merchant
    from portal.orders.upsert import upsert_order
    from portal.schemas import OrderIn
    from portal.store.db import migrate, session_scope

    app = create_app()
    portal = app.state.portal
    migrate(portal.engine)
    with session_scope(portal.engine) as session:
        merchant = create_merchant(session, SHOP, "Bench Shop", "NOK", "nb", "Europe/Oslo")
        merchant.shopify_webhook_secret = SECRET
        api_key = create_api_key(session, merchant, "bench")
    numbers, pages = [], []
    placed = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for start in range(0, orders, 500):
        with session_scope(portal.engine) as session:
            for i in range(start, min(start + 500, orders)):
                number = f"BENCH{i:08d}NO"
                picker = random.Random(i)
                goods = [(title, price, picker.randint(1, 2))
                         for title, price in picker.sample(CATALOGUE, picker.randint(1, 3))]
                subtotal = sum(price * quantity for _, price, quantity in goods)
                shipping = SHIPPING[i % len(SHIPPING)]
                data = OrderIn.model_validate({
                    "number": f"#S{i}", "email": f"buyer{i}@example.com", "currency": "NOK",
                    "placed_at": (placed + timedelta(minutes=i)).isoformat(), "payment_status": "paid",
                    "fulfillment_status": "fulfilled",
                    "totals": {"subtotal": str(subtotal), "shipping": str(shipping), "total": str(subtotal + shipping)},
                    "line_items": [{"title": title, "quantity": quantity, "unit_price": str(price)}
                                   for title, price, quantity in goods],
                    "shipments": [{"carrier": "Posten", "tracking_number": number}],
                })
                order = upsert_order(session, merchant, data).order
                numbers.append(number)
                pages.append(portal.tracking_path(merchant, order, app))
    portal.engine.dispose()
    return Seeded(api_key, numbers, pages)


@dataclass
class Tally:
    requests: int = 0
    items: int = 0  # webhooks or events accepted
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)


class Client(threading.Thread):
    """One keep-alive connection sending one kind of request until told to stop."""

    def __init__(self, port: int, stop: threading.Event, tally: Tally, make, rate: float = 0) -> None:
        """`rate`: requests per second at most (0: as fast as the server answers)."""
        super().__init__(daemon=True)
        self.port, self.stop, self.tally, self.make = port, stop, tally, make
        self.interval = 1 / rate if rate else 0.0
        self.lock = threading.Lock()

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        next_at = time.perf_counter()
        while not self.stop.is_set():
            if self.interval:
                next_at += self.interval
                if self.stop.wait(max(0.0, next_at - time.perf_counter())):
                    break
            method, path, body, headers, items = self.make()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                status = 0
            elapsed = time.perf_counter() - started
            with self.lock:
                self.tally.requests += 1
                self.tally.statuses[status] += 1
                self.tally.latencies.append(elapsed)
                if 200 <= status < 300:
                    self.tally.items += items(body) if callable(items) else items
        connection.close()


def webhook_maker(worker: int):
    counter = iter(range(10**9))
    created: list[tuple[int, str]] = []
    base_time = datetime(2026, 11, 20, tzinfo=timezone.utc)

    def make():
        n = next(counter)
        payload = copy.deepcopy(TEMPLATE)
        if created and n % 5 == 4:  # every fifth delivery: a newer version of an order sent before
            order_id, name = random.choice(created)
            topic, payload["financial_status"] = "orders/updated", "paid"
        else:
            order_id, name = 9_007_199_254_740_993 + worker * 10**9 + n, f"#W{worker}-{n}"  # above 2**53
            created.append((order_id, name))
            topic = "orders/create"
        payload.update(id=order_id, name=name, order_number=n, email=f"w{worker}-{n}@example.com",
                       updated_at=(base_time + timedelta(seconds=n)).isoformat())
        body = json.dumps(payload).encode()
        signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic,
                   "X-Shopify-Hmac-Sha256": signature, "X-Shopify-Webhook-Id": f"bench-{worker}-{n}",
                   "X-Shopify-Shop-Domain": "bench.myshopify.com"}
        return "POST", f"/webhooks/shopify/{SHOP}", body, headers, 1

    return make


def added(body: bytes) -> int:
    """The events a bulk stored (its answer's count: an event refused is no event applied)."""
    return json.loads(body)["added"]


def events_maker(worker: int, seeded: Seeded, batch: int):
    counter = iter(range(10**9))
    # Two feeds a month apart (each phase's a week later than the one before), all in the past: the
    # portal refuses carrier events more than a day ahead.
    phase, feed = divmod(worker, 100)
    start = datetime.now(timezone.utc) - timedelta(days=61 - 7 * phase - 30 * (feed % 2))
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {seeded.api_key}"}

    def make():
        events = []
        for _ in range(batch):
            n = next(counter)
            events.append({"tracking_number": random.choice(seeded.tracking_numbers),
                           "at": (start + timedelta(seconds=n)).isoformat(), "status": STATUSES[n % len(STATUSES)],
                           "location": "Oslo", "message": "Sortert"})
        return "POST", "/api/v1/events", json.dumps({"events": events}).encode(), headers, added

    return make


def page_maker(seeded: Seeded):
    def make():
        return "GET", random.choice(seeded.pages), None, {"Accept-Language": "nb"}, 1
    return make


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else 0.0


# wrk posts the webhooks: a C client leaves the two CPUs to the server. Each wrk thread loads its
# share of the prebuilt, signed deliveries (one per line: topic, delivery id, signature, body).
WEBHOOK_LUA = """
local threads, count = {}, 0
function setup(thread)
  thread:set("id", count); count = count + 1
  table.insert(threads, thread)
end
function init(args)
  deliveries, index = {}, 0
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % tonumber(args[2]) == id then
      local topic, hook, signature, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(deliveries, wrk.format("POST", "/webhooks/shopify/SHOP", {
        ["Content-Type"] = "application/json", ["X-Shopify-Topic"] = topic,
        ["X-Shopify-Webhook-Id"] = hook, ["X-Shopify-Hmac-Sha256"] = signature,
        ["X-Shopify-Shop-Domain"] = "bench.myshopify.com"}, body))
    end
    line_number = line_number + 1
  end
end
function request()
  index = index % #deliveries + 1
  return deliveries[index]
end
"""


def write_deliveries(path: Path, count: int, worker: int) -> None:
    make = webhook_maker(worker)
    with path.open("w") as out:
        for _ in range(count):
            _, _, body, headers, _ = make()
            out.write("\t".join((headers["X-Shopify-Topic"], headers["X-Shopify-Webhook-Id"],
                                 headers["X-Shopify-Hmac-Sha256"], body.decode())) + "\n")


def applied_deliveries(engine: Engine) -> int:
    """Deliveries applied so far: each commits one receipt (its order created, updated, or found
    newer already), read beside the server."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM webhook_receipts")).scalar()


@dataclass
class PhaseResult:
    kinds: dict[str, Tally]
    server_cpu: float
    # CPU seconds of each process, busiest first: uvicorn's workers share one listening socket and
    # the first to wake takes every pending connection, so a phase's few keep-alive connections
    # can all land on one worker, which then uses one CPU at most (Python's GIL).
    process_cpu: list[float]
    webhooks: dict[str, float] | None = None  # wrk's figures
    applied: int = 0  # webhook deliveries applied during the phase


def run_phase(served: Served, seeded: Seeded, seconds: float, clients: dict[str, int], args, offset: int,
              workdir: Path, database: Engine) -> PhaseResult:
    """Run the given numbers of clients of each kind for `seconds`, with page readers at
    `--page-rate`; return their tallies, wrk's figures for the webhooks and the server's CPU."""
    kinds = {"events": Tally(), "pages": Tally()}
    port = int(served.url.rsplit(":", 1)[1])
    stop = threading.Event()
    threads = [Client(port, stop, kinds["events"], events_maker(offset + i, seeded, args.batch))
               for i in range(clients.get("events", 0))]
    threads += [Client(port, stop, kinds["pages"], page_maker(seeded), args.page_rate / args.page_clients)
                for _ in range(args.page_clients if args.page_rate else 0)]
    poster_args = None
    if clients.get("webhooks"):
        # Every delivery new (fresh ids, numbers and webhook ids), built and signed before the clock
        # starts: as many as the open loop offers, or enough for wrk at 1,500/s.
        deliveries = workdir / f"deliveries-{offset}.tsv"
        write_deliveries(deliveries, int(seconds * (args.webhook_rate or 1500)), offset)
        if args.webhook_rate:  # open loop: a delivery every 1/rate seconds, as a platform sends them
            poster_args = [sys.executable, str(ROOT / "bench" / "webhook_rate.py"), str(port), str(deliveries),
                           f"{args.webhook_rate:g}", f"{seconds:g}", str(clients["webhooks"])]
        else:
            script = workdir / "webhooks.lua"
            script.write_text(WEBHOOK_LUA.replace("SHOP", SHOP))
            poster_args = ["wrk", "-t2", f"-c{clients['webhooks']}", f"-d{seconds:g}s", "--latency", "-s",
                           str(script), f"http://127.0.0.1:{port}", "--", str(deliveries), "2"]
    before, root = applied_deliveries(database), served.pid
    cpu_before = tree_cpu_seconds(root)
    poster = subprocess.Popen(poster_args, stdout=subprocess.PIPE, text=True) if poster_args else None
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    webhooks = None
    if poster:
        out = poster.communicate()[0]
        webhooks = json.loads(out) if args.webhook_rate else wrk_figures(out)
    for thread in threads:
        thread.join(70)
    time.sleep(0.5)  # the last answers are on their way
    cpu = {pid: seconds - cpu_before.get(pid, 0.0) for pid, seconds in tree_cpu_seconds(root).items()}
    return PhaseResult(kinds, sum(cpu.values()), sorted(cpu.values(), reverse=True), webhooks,
                       applied_deliveries(database) - before)


def report(name: str, phase: PhaseResult, seconds: float) -> int:
    by_process = " / ".join(f"{cpu:.1f}" for cpu in phase.process_cpu)
    print(f"\n{name}: {seconds:g}s, server CPU {phase.server_cpu:.1f}s (by process, busiest first: {by_process})")
    print(f"  {'stream':<10}{'req/s':>9}{'items/s':>10}{'per CPU-s':>11}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    alone = (phase.webhooks is not None) + sum(1 for kind, t in phase.kinds.items() if t.requests and kind != "pages") == 1
    errors = 0
    if phase.webhooks is not None:
        figures = phase.webhooks
        per_cpu = f"{phase.applied / phase.server_cpu:.0f}" if alone else "-"
        # Open loop: over the time to the last answer (a server that fell behind answers late).
        elapsed = figures.get("elapsed", seconds)
        print(f"  {'webhooks':<10}{figures['rps']:>9.0f}{phase.applied / elapsed:>10.0f}{per_cpu:>11}"
              f"{figures['p50_ms']:>9.1f}{figures['p99_ms']:>9.1f}  {figures['requests']:.0f} sent, "
              f"{phase.applied} applied, non-2xx {figures['errors']:.0f}")
        if "late" in figures:
            # Kept up: every delivery applied, the last answered within a second of the phase's end.
            kept_up = phase.applied == figures["requests"] and not figures["errors"] and elapsed <= seconds + 1
            print(f"  {'':<10}offered {figures['requests'] / seconds:.0f}/s in open loop: "
                  f"{'kept up' if kept_up else 'FELL BEHIND'} (last answer {elapsed - seconds:+.1f}s after the "
                  f"phase, slowest {figures['max_ms']:.0f} ms); {figures['late']} waited for a free connection; "
                  f"client CPU {figures['client_cpu']:.1f}s")
        errors += int(figures["errors"])
    for kind, tally in phase.kinds.items():
        if not tally.requests:
            continue
        per_cpu = f"{tally.items / phase.server_cpu:.0f}" if alone and kind != "pages" else "-"
        print(f"  {kind:<10}{tally.requests / seconds:>9.0f}{tally.items / seconds:>10.0f}{per_cpu:>11}"
              f"{percentile(tally.latencies, .5):>9.1f}{percentile(tally.latencies, .99):>9.1f}  "
              f"{dict(sorted(tally.statuses.items()))}")
        errors += sum(n for s, n in tally.statuses.items() if not 200 <= s < 400)
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each phase")
    parser.add_argument("--workers", type=int, default=2, help="`portal serve --workers` (one per CPU)")
    parser.add_argument("--database-url",
                        help="an empty database to run against (e.g. postgresql+psycopg://…); default: a fresh SQLite file")
    parser.add_argument("--orders", type=int, default=2000, help="seeded orders (each with a parcel)")
    parser.add_argument("--batch", type=int, default=500, help="events per /api/v1/events request")
    parser.add_argument("--webhook-clients", type=int, default=64,
                        help="webhooks in flight at most (connections); with --webhook-rate 0, wrk's connections")
    parser.add_argument("--webhook-rate", type=float, default=300,
                        help="webhooks posted per second, in open loop as a platform sends them "
                             "(bench/webhook_rate.py); 0: wrk in closed loop, as fast as the server answers")
    parser.add_argument("--event-clients", type=int, default=2)
    parser.add_argument("--page-clients", type=int, default=2)
    parser.add_argument("--page-rate", type=float, default=50, help="order pages read per second in every phase")
    parser.add_argument("--phase", action="append", choices=["webhooks", "events", "all"],
                        help="run only this phase (repeatable); default: all three")
    args = parser.parse_args()
    if not args.webhook_rate and set(args.phase or ["webhooks"]) & {"webhooks", "all"} and not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench-ingest does it)")
    phases = {
        "webhooks": ("webhooks, with shoppers reading pages", {"webhooks": args.webhook_clients}),
        "events": ("events, with shoppers reading pages", {"events": args.event_clients}),
        "all": ("webhooks and events at once, with shoppers reading pages",
                {"webhooks": args.webhook_clients, "events": args.event_clients}),
    }
    chosen = [phases[name] for name in (args.phase or list(phases))]

    with tempfile.TemporaryDirectory(prefix="portal-ingest-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/portal.db"
        env = {"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench-" + "k" * 40,
               "PORTAL_INSTANCE_DIR": f"{tmp}/instance", "PORTAL_BASE_URL": "http://127.0.0.1"}
        started = time.perf_counter()
        seeded = seed(env, args.orders)
        database = create_engine(url)
        print(f"seeded {args.orders} orders in {time.perf_counter() - started:.1f}s; {args.workers} server "
              f"worker(s) ({SERVER}), {os.cpu_count()} CPUs, {database.dialect.name}; events in batches of "
              f"{args.batch}; {args.page_rate:g} page reads/s in every phase")
        log_path = Path(tmp) / "server.log"
        errors = 0
        with open(log_path, "w") as log, server(PORTAL, env, workers=args.workers, stderr=log) as served:
            for number, (name, clients) in enumerate(chosen):
                phase = run_phase(served, seeded, args.seconds, clients, args, number * 100, Path(tmp), database)
                errors += report(name, phase, args.seconds)
        database.dispose()
        server_log = log_path.read_text()
        locked = server_log.count("database is locked")
        troubles = [line for line in server_log.splitlines() if "ERROR" in line or "CRITICAL" in line]

    print(f"\nerrors (non-2xx/3xx or connection): {errors}; 'database is locked' in the "
          f"server log: {locked}; load average at the end: {os.getloadavg()[0]:.1f}")
    for line in troubles[:10]:
        print(f"  server log: {line}")
    if errors or locked:
        sys.exit(1)


if __name__ == "__main__":
    main()
