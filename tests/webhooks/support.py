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
from portal.store.models import Order, WebhookDelivery, WebhookReceipt

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
        from portal import webhook_refusals

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


def late_older_version_is_ignored(portal, shop) -> None:
    """An orders/updated delivery reads the order; another (newer) is stored and committed before
    the first one writes (as from another worker): the first must still be ignored as older."""
    from portal import ingest
    from portal.platforms import shopify

    created = ingest.parse_json(fixture_bytes("shopify/orders-create.json"))
    assert ingest.receive(portal.engine, shop, ingest.Delivery("shopify", "orders/create", "w1", "h1"),
                          ingest.prepare(shopify.plan, shop, "orders/create", created)).result == "stored"
    updated = ingest.parse_json(fixture_bytes("shopify/orders-updated.json"))
    newer = {**updated, "financial_status": "refunded", "updated_at": "2026-11-22T10:00:00+01:00"}
    older = {**updated, "financial_status": "paid", "updated_at": "2026-11-21T14:02:11+01:00"}

    with session_scope(portal.engine) as session:
        late = ingest.prepare(shopify.plan, shop, "orders/updated", older)
        late.read(session)  # the order as it is now
        # Meanwhile another worker stores the newer version and commits.
        stored = ingest.receive(portal.engine, shop, ingest.Delivery("shopify", "orders/updated", "w3", "h3"),
                                ingest.prepare(shopify.plan, shop, "orders/updated", newer))
        assert stored.result == "stored"
        outcome = late(session)

    assert (outcome.result, outcome.reason.split(" (")[0]) == ("ignored", "older than the version already stored")
    assert stored_orders(portal, shop)["#2041"][0] == "refunded"


def refund_and_update_at_once_keep_both(portal, shop, monkeypatch) -> None:
    """A refund reads its order; while it works out the payment status from it, another worker
    stores an orders/updated saying the order is refunded. Both must land: the update is not
    overwritten by a status worked out from the order as it was before it."""
    import threading

    from portal import ingest
    from portal.platforms import shopify

    created = ingest.parse_json(fixture_bytes("shopify/orders-create.json"))
    assert ingest.receive(portal.engine, shop, ingest.Delivery("shopify", "orders/create", "w1", "h1"),
                          ingest.prepare(shopify.plan, shop, "orders/create", created)).result == "stored"
    refund = ingest.parse_json(fixture_bytes("shopify/refunds-create.json"))  # a part of the total
    updated = ingest.parse_json(fixture_bytes("shopify/orders-updated.json"))
    refunded = {**updated, "financial_status": "refunded", "updated_at": "2026-11-22T10:00:00+01:00"}
    outcomes: dict[str, str] = {}

    def other_worker() -> None:
        outcomes["update"] = ingest.receive(
            portal.engine, shop, ingest.Delivery("shopify", "orders/updated", "w3", "h3"),
            ingest.prepare(shopify.plan, shop, "orders/updated", refunded)).result

    other = threading.Thread(target=other_worker)
    find_order = ingest.find_order

    def found_then_the_other_worker_runs(*args):
        order = find_order(*args)
        other.start()
        other.join(0.5)  # the update commits meanwhile, unless it has to wait for this refund
        return order

    monkeypatch.setattr(ingest, "find_order", found_then_the_other_worker_runs)
    outcomes["refund"] = ingest.receive(portal.engine, shop, ingest.Delivery("shopify", "refunds/create", "w2", "h2"),
                                        ingest.prepare(shopify.plan, shop, "refunds/create", refund)).result
    other.join(30)
    assert outcomes == {"refund": "stored", "update": "stored"}
    assert stored_orders(portal, shop)["#2041"][0] == "refunded"
