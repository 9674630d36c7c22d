"""Fill a portal database with many orders quickly, for scale benchmarks.

    python bench/generate.py --orders 1000000 --shop bench   (uses PORTAL_DATABASE_URL)

Bulk rows go straight in through SQLAlchemy Core (the API path is far too slow for a million);
a few fully detailed orders go through the real service, so the pages measured are realistic.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from portal.demo import SCENARIOS, SHOPS, order_payload
from portal.merchants import create_merchant
from portal.orders.upsert import upsert_order
from portal.schemas import OrderIn
from portal.settings import Settings
from portal.store import queries
from portal.store.db import make_engine, migrate, session_scope
from portal.store.models import Order

CHUNK = 20_000


def bulk_orders(engine, merchant_id: int, count: int, start: int) -> None:
    template = Order(merchant_id=merchant_id, public_id="", link_nonce="", number="", number_key="",
                     placed_at=datetime.now(timezone.utc), currency="USD", presentment_currency="USD",
                     total=5000, presentment_total=5000).model_dump(exclude={"id"})
    base = datetime(2020, 1, 1, tzinfo=timezone.utc)
    with engine.begin() as connection:
        for offset in range(0, count, CHUNK):
            rows = []
            for i in range(start + offset, start + min(offset + CHUNK, count)):
                rows.append({
                    **template,
                    "public_id": secrets.token_urlsafe(12),
                    "link_nonce": secrets.token_urlsafe(9),
                    "number": f"#{i}",
                    "number_key": str(i),
                    "email": f"buyer{i}@example.com",
                    "email_key": f"buyer{i}@example.com",
                    "postal_code": f"{i % 100000:05d}",
                    "postal_key": f"{i % 100000:05d}",
                    "placed_at": base + timedelta(minutes=i),
                })
            connection.execute(insert(Order.__table__), rows)


def generate(database_url: str, orders: int, shop: str = "bench") -> None:
    engine = make_engine(database_url)
    migrate(engine)
    acme = next(s for s in SHOPS if s.slug == "acme")
    now = datetime.now(timezone.utc)
    with session_scope(engine) as session:
        merchant = queries.merchant_by_slug(session, shop) or create_merchant(session, shop, "Bench Shop", "USD")
        merchant.support_email = "support@bench.example"
        # Detailed orders #1001.. (two shipments, events, items): the pages the benchmark reads.
        for index in range(len(SCENARIOS)):
            upsert_order(session, merchant, OrderIn.model_validate(order_payload(acme, index, SCENARIOS[index], now)))
        merchant_id = merchant.id
    existing = queries_count(engine, merchant_id)
    if existing < orders:
        started = time.monotonic()
        bulk_orders(engine, merchant_id, orders - existing, start=100_000 + existing)
        print(f"inserted {orders - existing} orders in {time.monotonic() - started:.1f} s")
    engine.dispose()


def queries_count(engine, merchant_id: int) -> int:
    from sqlmodel import Session, func, select

    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Order).where(Order.merchant_id == merchant_id)).one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--shop", default="bench")
    args = parser.parse_args()
    generate(Settings().database_url, args.orders, args.shop)


if __name__ == "__main__":
    main()
