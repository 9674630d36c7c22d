"""Helpers for replaying platform deliveries: fixtures on disk, signing, reading back what was stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from portal.store.db import session_scope
from portal.store.models import Order
from portal.store.records import WebhookDelivery, WebhookReceipt

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def body_of(payload: dict[str, Any] | bytes) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


class Store:
    """Reads back rows the receivers wrote, outside any request."""

    def __init__(self, portal) -> None:
        self.portal = portal

    def orders(self, merchant) -> list[Order]:
        with session_scope(self.portal.engine) as session:
            return list(session.exec(select(Order).where(Order.merchant_id == merchant.id)).all())

    def order(self, merchant, external_id: str) -> Order:
        (order,) = [o for o in self.orders(merchant) if o.external_id == external_id]
        return order

    def receipts(self, merchant) -> list[WebhookReceipt]:
        with session_scope(self.portal.engine) as session:
            return list(session.exec(select(WebhookReceipt).where(WebhookReceipt.merchant_id == merchant.id)).all())

    def refusals(self, merchant) -> dict[tuple[str, str], int]:
        """(platform, kind): deliveries that could not be verified, over the last day."""
        from portal.ingest import webhook_refusals

        with session_scope(self.portal.engine) as session:
            return {(r.platform, r.kind): r.total for r in webhook_refusals.last_day(session, merchant.id)}

    def deliveries(self, merchant) -> list[WebhookDelivery]:
        with session_scope(self.portal.engine) as session:
            return list(session.exec(select(WebhookDelivery).where(WebhookDelivery.merchant_id == merchant.id)
                                     .order_by(WebhookDelivery.id)).all())


@pytest.fixture
def store(portal) -> Store:
    return Store(portal)


def stored_orders(portal, shop) -> dict[str, tuple[str, str, int]]:
    """Number: (payment status, fulfilment status, parcels) of each of the shop's orders."""
    from portal.store import queries

    with session_scope(portal.engine) as session:
        return {o.number: (o.payment_status, o.fulfillment_status, len(queries.shipments(session, o.id)))
                for o in queries.search_orders(session, shop.id).orders}


def parsed(name: str) -> Any:
    """A fixture as the receivers read a body (exact decimals)."""
    from portal.ingest import platform_orders
    from portal.ingest.platforms import payloads

    return payloads.parse_json(fixture_bytes(name))


def receive_shopify(portal, shop, topic: str, delivery_id: str, payload: dict[str, Any]):
    """The outcome of one Shopify delivery received alone, as the receiver receives it."""
    from portal.ingest import deliveries
    from portal.ingest import platform_orders
    from portal.ingest.platforms import shopify

    return deliveries.receive(portal.engine, shop, platform_orders.Delivery("shopify", topic, delivery_id, f"hash-{delivery_id}"),
                              platform_orders.prepare(shopify.plan, shop, topic, payload))


def late_older_version_is_ignored(portal, shop, monkeypatch) -> None:
    """An orders/updated delivery reads the order; another (newer) is stored and committed before
    the first one writes (as from another worker): the first must still be ignored as older."""
    import threading

    from portal.orders import upsert

    assert receive_shopify(portal, shop, "orders/create", "w1", parsed("shopify/orders-create.json")).result == "stored"
    updated = parsed("shopify/orders-updated.json")
    newer = {**updated, "financial_status": "refunded", "updated_at": "2026-11-22T10:00:00+01:00"}
    older = {**updated, "financial_status": "paid", "updated_at": "2026-11-21T14:02:11+01:00"}
    outcomes: dict[str, str] = {}
    other = threading.Thread(target=lambda: outcomes.update(
        newer=receive_shopify(portal, shop, "orders/updated", "w3", newer).result))
    upsert_targets = upsert.queries.upsert_targets

    def read_then_the_other_worker_commits(*args):
        found = upsert_targets(*args)
        if "newer" not in outcomes and not other.is_alive():
            other.start()
            other.join(10)  # nothing of this delivery holds a lock yet
        return found

    monkeypatch.setattr(upsert.queries, "upsert_targets", read_then_the_other_worker_commits)
    late = receive_shopify(portal, shop, "orders/updated", "w2", older)
    assert outcomes == {"newer": "stored"}
    assert (late.result, late.reason.split(" (")[0]) == ("ignored", "older than the version already stored")
    assert stored_orders(portal, shop)["#2041"][0] == "refunded"


def refund_and_update_at_once_keep_both(portal, shop, monkeypatch) -> None:
    """A refund reads its order; while it works out the payment status from it, another worker
    stores an orders/updated saying the order is refunded. Both must land: the update is not
    overwritten by a status worked out from the order as it was before it."""
    import threading

    from portal.ingest import platform_orders

    assert receive_shopify(portal, shop, "orders/create", "w1", parsed("shopify/orders-create.json")).result == "stored"
    updated = parsed("shopify/orders-updated.json")
    refunded = {**updated, "financial_status": "refunded", "updated_at": "2026-11-22T10:00:00+01:00"}
    outcomes: dict[str, str] = {}
    other = threading.Thread(target=lambda: outcomes.update(
        update=receive_shopify(portal, shop, "orders/updated", "w3", refunded).result))
    find_order = platform_orders.find_order

    def found_then_the_other_worker_runs(*args):
        order = find_order(*args)
        other.start()
        other.join(0.5)  # the update commits meanwhile, unless it has to wait for this refund
        return order

    monkeypatch.setattr(platform_orders, "find_order", found_then_the_other_worker_runs)
    outcomes["refund"] = receive_shopify(portal, shop, "refunds/create", "w2",
                                         parsed("shopify/refunds-create.json")).result
    other.join(30)
    assert outcomes == {"refund": "stored", "update": "stored"}
    assert stored_orders(portal, shop)["#2041"][0] == "refunded"
