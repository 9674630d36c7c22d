"""Analytics benchmark: how long /admin/analytics (and its CSV files) takes for a large shop.

Seeds a throwaway SQLite database (or --database-url) with one shop of --orders orders placed over
the last year, --shipments-per-order shipments each with their tracking events (label, first scan,
delivery; some exceptions, the recent ones still on their way), and a year of daily counts (page
views, the tracking e-mails sent as the outbox worker counts them, lookups); serves it with
`portal serve` (one worker) and asks for the page as a logged-in merchant, --requests times per
period, one request at a time, reporting the time to answer and the server's CPU time.

    python bench/analytics.py [--orders 100000] [--shipments-per-order 3] [--requests 10]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import insert, select
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PORTAL, server, tree_cpu_seconds  # noqa: E402
from portal.merchants import create_merchant, create_user  # noqa: E402
from portal.store import queries, shipment_stats  # noqa: E402
from portal.store.db import make_engine, migrate, session_scope  # noqa: E402
from portal.store.models import Order, Shipment, TrackingEvent  # noqa: E402
from portal.store.records import OrderViewCount, UsageCount  # noqa: E402

CHUNK = 20_000
PASSWORD = "bench-password-long-enough"
CARRIERS = ["ups", "usps", "fedex", "dhl", "postnord", "royal-mail", "dpd", "gls"]
COUNTRIES = ["US", "CA", "GB", "DE", "FR", "SE", "NO", "NL", "ES", "IT", "PL", "JP"]


def _chunks(rows, size: int = CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(database_url: str, orders: int, per_order: int) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    with session_scope(engine) as session:
        if queries.merchant_by_slug(session, "bench") is not None:
            print("the database already holds the bench shop: measuring it as it is", flush=True)
            return
        merchant = create_merchant(session, "bench", "Bench Shop", "USD")
        merchant.support_email = "support@bench.example"
        create_user(session, merchant, "owner@bench.example", PASSWORD)
        merchant_id = merchant.id
    started = time.monotonic()
    template = Order(merchant_id=merchant_id, public_id="", link_nonce="", number="", number_key="", placed_at=now,
                     currency="USD", presentment_currency="USD").model_dump(exclude={"id"})
    placed = [now - timedelta(days=365 * (1 - i / orders)) for i in range(orders)]
    with engine.begin() as connection:
        for batch in _chunks({**template, "public_id": secrets.token_urlsafe(12), "link_nonce": "n",
                              "number": f"#{100_000 + i}", "number_key": str(100_000 + i), "placed_at": placed[i],
                              "shipping_address": {"country_code": rng.choice(COUNTRIES)}} for i in range(orders)):
            connection.execute(insert(Order.__table__), batch)
        order_ids = list(connection.scalars(select(Order.id).where(Order.merchant_id == merchant_id).order_by(Order.id)))

        shipments, events = [], []
        for index, order_id in enumerate(order_ids):
            for _ in range(per_order):
                shipped = placed[index] + timedelta(hours=rng.uniform(2, 48))
                first_scan = shipped + timedelta(hours=rng.uniform(4, 30))
                delivered = first_scan + timedelta(days=rng.lognormvariate(1.0, 0.5))
                exception = rng.random() < 0.03
                done = delivered < now
                shipments.append({
                    "order_id": order_id, "merchant_id": merchant_id, "carrier": rng.choice(CARRIERS),
                    "tracking_number": secrets.token_hex(8).upper(), "status": "delivered" if done else "in_transit",
                    "shipped_at": shipped, "delivered_at": delivered if done else None,
                    "estimated_delivery": (shipped + timedelta(days=5)).date(),
                })
                timeline = [(shipped, "info_received"), (first_scan, "in_transit")]
                if exception:
                    timeline.append((first_scan + timedelta(hours=12), "exception"))
                if done:
                    timeline.append((delivered, "delivered"))
                events.append([(at, status) for at, status in timeline if at < now])
        for batch in _chunks(shipments):
            connection.execute(insert(Shipment.__table__), batch)
        shipment_ids = list(connection.scalars(
            select(Shipment.id).where(Shipment.merchant_id == merchant_id).order_by(Shipment.id)))
        for batch in _chunks({"shipment_id": shipment_id, "at": at, "status": status, "raw": {}}
                             for shipment_id, timeline in zip(shipment_ids, events) for at, status in timeline):
            connection.execute(insert(TrackingEvent.__table__), batch)
        with Session(bind=connection) as session:  # each shipment's first scan and exception, as stored events set them
            for batch in _chunks(shipment_ids):
                shipment_stats.note_scans(session, batch)
        views: dict = {}

        def count(order_id: int, day, **added: int) -> None:
            row = views.setdefault((order_id, day), {"merchant_id": merchant_id, "order_id": order_id, "day": day,
                                                     "views": 0, "email_views": 0, "emails": 0})
            for name, value in added.items():
                row[name] += value

        emails = 0
        for shipment in shipments:  # "shipped" and "delivered" e-mails, counted on the day they went
            for at in (shipment["shipped_at"], shipment["delivered_at"]):
                if at is not None and at < now:
                    count(shipment["order_id"], at.date(), emails=1)
                    emails += 1
        for index, order_id in enumerate(order_ids):
            for _ in range(rng.randint(0, 4)):
                day = (placed[index] + timedelta(days=rng.randint(1, 10))).date()
                if day <= now.date():
                    views_that_day = rng.randint(1, 3)
                    count(order_id, day, views=views_that_day, email_views=int(rng.random() < 0.3))
        for batch in _chunks(views.values()):
            connection.execute(insert(OrderViewCount.__table__), batch)
        connection.execute(insert(UsageCount.__table__), [
            {"merchant_id": merchant_id, "day": (now - timedelta(days=d)).date(), "kind": kind,
             "count": rng.randint(0, 200)} for d in range(365) for kind in ("lookup_found", "lookup_missed")])
    print(f"seeded {orders:,} orders, {len(shipments):,} shipments, {sum(map(len, events)):,} events, "
          f"{emails:,} e-mails and {len(views):,} daily counts of orders in {time.monotonic() - started:.0f} s",
          flush=True)
    if engine.dialect.name == "postgresql":
        # What autovacuum does to a shop's tables in the background: planner statistics, and the
        # visibility map that lets a query read an index without the table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def login(client: httpx.Client) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").text).group(1)
    response = client.post("/admin/login", data={"csrf_token": token, "shop": "bench",
                                                 "email": "owner@bench.example", "password": PASSWORD})
    assert response.status_code == 303, response.status_code


def timed(client: httpx.Client, pid: int, path: str, requests: int) -> tuple[list[float], float]:
    """Each answer's time (ms), and the server's CPU time per request (ms): on a busy machine the
    CPU time moves less than the time to answer."""
    client.get(path)  # warm-up: the first request compiles templates and fills the caches
    times = []
    cpu_before = sum(tree_cpu_seconds(pid).values())
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times, (sum(tree_cpu_seconds(pid).values()) - cpu_before) * 1000 / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--shipments-per-order", type=int, default=3)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--database-url", help="a database to seed (default: a throwaway SQLite file); one "
                                               "seeded before is measured as it is")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-analytics-"))
    url = args.database_url or f"sqlite:///{workdir / 'analytics.db'}"
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench-secret", "PORTAL_INSTANCE_DIR": str(workdir),
           "PORTAL_BASE_URL": "http://127.0.0.1", "PORTAL_LOGIN_RATE_LIMIT": "1000/minute"}
    os.environ.update(env)
    seed(url, args.orders, args.shipments_per_order)
    with server(PORTAL, env) as served, httpx.Client(base_url=served.url, timeout=60) as client:
        login(client)
        print(f"\n/admin/analytics, {args.orders:,} orders, one worker, {args.requests} requests each "
              f"(one at a time): median / p90 / max ms to answer, server CPU ms per request")
        for path in ("/admin/analytics?days=7", "/admin/analytics?days=30", "/admin/analytics?days=90",
                     "/admin/analytics/usage.csv?days=90", "/admin/analytics/carriers.csv?days=90",
                     "/admin/analytics/delays.csv"):
            times, cpu = timed(client, served.pid, path, args.requests)
            times.sort()
            p90 = times[max(0, -(-9 * len(times) // 10) - 1)]
            print(f"  {path:40s} {statistics.median(times):7.0f} {p90:7.0f} {times[-1]:7.0f}   CPU {cpu:6.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
