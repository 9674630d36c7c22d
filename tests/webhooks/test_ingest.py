"""The platform-independent pieces: exact JSON, timestamps, tags, ids, log pruning, crash logging."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal.ingest import deliveries, platform_orders
from portal.ingest.platforms import payloads, shopify
from portal.store import queries
from portal.store.db import session_scope
from portal.store.models import utcnow
from portal.store.records import WebhookDelivery, WebhookReceipt
from tests.webhooks.support import (
    fixture_bytes,
    late_older_version_is_ignored,
    refund_and_update_at_once_keep_both,
    sign,
    stored_orders,
)


def test_json_keeps_big_ids_and_decimals_exact():
    payload = payloads.parse_json(b'{"id": 18446744073709551557, "price": 19.90, "n": 9007199254740993}')
    assert payload["id"] == 18446744073709551557 and payloads.platform_id(payload["id"]) == "18446744073709551557"
    assert payload["price"] == Decimal("19.90")
    assert payloads.platform_id(payload["n"]) == "9007199254740993"  # 2**53 + 1: a float would say ...992


@pytest.mark.parametrize("raw", [b'{"a": NaN}', b'{"a": Infinity}', b"{", b"\xff\xfe", b"[" * 100_000])
def test_json_that_is_not_json_is_refused_with_a_reason(raw):
    with pytest.raises(platform_orders.Rejected) as info:
        payloads.parse_json(raw)
    assert info.value.status == 400 and info.value.reason.startswith("malformed JSON")


@pytest.mark.parametrize("value, expected", [
    ("2026-11-20T09:14:04+01:00", "2026-11-20T08:14:04+00:00"),
    ("2017-03-22T19:28:02", "2017-03-22T19:28:02+00:00"),
    ("Tue, 05 Mar 2019 21:40:11 +0000", "2019-03-05T21:40:11+00:00"),
    ("1795082400", "2026-11-19T10:00:00+00:00"),
    ("2026-11-20T08:00:00Z", "2026-11-20T08:00:00+00:00"),
])
def test_timestamps_in_every_platform_format(value, expected):
    assert payloads.timestamp(value, "created_at").isoformat() == expected


@pytest.mark.parametrize("value", ["", None])
def test_absent_timestamps_are_none(value):
    assert payloads.timestamp(value, "created_at") is None


@pytest.mark.parametrize("value", ["yesterday", "12345", "2026-13-45T00:00:00Z", True, {"at": "2026-11-20"}])
def test_unreadable_timestamps_refuse_the_delivery_by_name(value):
    with pytest.raises(platform_orders.Rejected) as info:
        payloads.timestamp(value, "created_at")
    assert info.value.status == 422 and info.value.reason.startswith("created_at: ")


def test_platform_ids_and_tags():
    assert payloads.platform_id("gid://shopify/Order/7123456789012345679") == "7123456789012345679"
    assert payloads.platform_id(True) is None and payloads.customer_id(0) is None
    assert payloads.tags(" a, b ,a,, " + "x" * 60) == ["a", "b", "x" * 40]
    assert payloads.tags([f"t{n}" for n in range(300)]) == [f"t{n}" for n in range(250)]  # kept, not refused
    assert payloads.amount("12.3456", "USD", "price") == "12.35" and payloads.amount("1500.00", "JPY", "price") == "1500"
    assert payloads.amount("-0.001", "EUR", "price") == "0.00"


def test_delivery_log_and_receipts_are_pruned(portal, merchant):
    with session_scope(portal.engine) as session:
        for number in range(5):
            session.add(WebhookDelivery(merchant_id=merchant.id, platform="shopify", result="stored",
                                        reason=str(number)))
        session.add(WebhookReceipt(merchant_id=merchant.id, platform="shopify", delivery_id="old", body_hash="x",
                                   received_at=utcnow() - timedelta(days=40)))
        session.add(WebhookReceipt(merchant_id=merchant.id, platform="shopify", delivery_id="new", body_hash="x"))
    with session_scope(portal.engine) as session:
        queries.prune_webhook_deliveries(session, merchant.id, keep=2)
        queries.prune_webhook_receipts(session, merchant.id, utcnow() - deliveries.RECEIPT_RETENTION)
    with session_scope(portal.engine) as session:
        assert [d.reason for d in queries.webhook_deliveries(session, merchant.id)] == ["4", "3"]
        assert queries.receipt_body_hash(session, merchant.id, "shopify", "old") is None
        assert queries.receipt_body_hash(session, merchant.id, "shopify", "new") == "x"


@pytest.mark.parametrize("where", ["translating", "writing"])
def test_a_crash_while_applying_is_logged_and_stores_nothing(app, factory, monkeypatch, portal, where):
    shop = factory.merchant("nordlys", shopify_webhook_secret="s")

    def boom(*_args):
        raise RuntimeError("boom")

    # A crash while the payload is translated (before the delivery waits for the database) or
    # while its transaction writes.
    monkeypatch.setattr(shopify, "plan", boom if where == "translating" else lambda *_args: boom)
    body = fixture_bytes("shopify/orders-create.json")
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/webhooks/shopify/nordlys", content=body, headers={
            "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "w1",
            "X-Shopify-Hmac-Sha256": sign(body, "s")})
    assert response.status_code == 500
    assert "Traceback" not in response.text and "boom" not in response.text
    with session_scope(portal.engine) as session:
        (entry,) = queries.webhook_deliveries(session, shop.id)
        assert (entry.result, entry.http_status) == ("rejected", 500)
        assert "internal error (RuntimeError)" in entry.reason
        assert queries.receipt_body_hash(session, shop.id, "shopify", "w1") is None


def test_the_same_delivery_arriving_twice_at_once_is_applied_once(portal, factory):
    shop = factory.merchant("nordlys")
    payload = payloads.parse_json(fixture_bytes("shopify/orders-create.json"))
    delivery = platform_orders.Delivery("shopify", "orders/create", "wh-race", payloads.body_hash(b"x"))
    both_checked = threading.Barrier(2, timeout=10)
    calls = []

    def handler(session):
        calls.append(1)
        if len(calls) <= 2:
            both_checked.wait()  # both have looked for a receipt and found none
        return shopify.plan(shop, "orders/create", payload)(session)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda _: deliveries.receive(portal.engine, shop, delivery, handler), range(2)))
    assert sorted(o.result for o in outcomes) == ["duplicate", "stored"]
    with session_scope(portal.engine) as session:
        assert len(queries.search_orders(session, shop.id).orders) == 1


def _received_together(portal, shop, group):
    """receive_many() of (topic, delivery id, payload) Shopify deliveries: (result, reason) of each."""
    received = []
    for topic, delivery_id, payload in group:
        raw = json.dumps(payload, default=str).encode()
        received.append((shop, platform_orders.Delivery("shopify", topic, delivery_id, payloads.body_hash(raw)),
                         platform_orders.prepare(shopify.plan, shop, topic, payload)))
    return [(o.result, o.reason) for o in deliveries.receive_many(portal.engine, received)]


def test_deliveries_received_together_are_applied_as_each_would_be_alone(portal, factory):
    shop = factory.merchant("nordlys")
    created = payloads.parse_json(fixture_bytes("shopify/orders-create.json"))
    another = {**created, "id": created["id"] + 1, "name": "#2042", "order_number": 2042}
    updated = payloads.parse_json(fixture_bytes("shopify/orders-updated.json"))
    assert _received_together(portal, shop, [("orders/create", "w0", created)]) == [("stored", "order created")]

    outcomes = _received_together(portal, shop, [
        ("orders/create", "w1", another), ("orders/updated", "w2", updated), ("orders/create", "w0", created)])

    assert outcomes == [("stored", "order created"), ("stored", "order updated"), ("duplicate", "already received")]
    assert stored_orders(portal, shop) == {"#2041": ("paid", "partially_fulfilled", 1), "#2042": ("paid", "unfulfilled", 0)}
    with session_scope(portal.engine) as session:
        assert sorted(r.delivery_id for r in session.exec(select(WebhookReceipt)).all()) == ["w0", "w1", "w2"]


def test_a_group_with_a_refused_delivery_stores_nothing_of_the_group(portal, factory):
    """receive_many is all or nothing: the receiver then receives each delivery alone."""
    shop = factory.merchant("nordlys")
    created = payloads.parse_json(fixture_bytes("shopify/orders-create.json"))
    bad = {**created, "id": created["id"] + 1, "name": "#2042", "order_number": 2042, "currency": "XXY"}
    with pytest.raises(platform_orders.Rejected):
        _received_together(portal, shop, [("orders/create", "w1", created), ("orders/create", "w2", bad)])
    assert stored_orders(portal, shop) == {}
    with session_scope(portal.engine) as session:
        assert session.exec(select(WebhookReceipt)).all() == []
        assert queries.webhook_deliveries(session, shop.id) == []


def test_deliveries_for_one_order_received_together_apply_in_turn(portal, factory):
    """A delivery that changes an order another delivery of its group changed before it reads
    that order after the change, as it would alone; so does one whose delivery id came before."""
    shop = factory.merchant("nordlys")
    created = payloads.parse_json(fixture_bytes("shopify/orders-create.json"))
    updated = payloads.parse_json(fixture_bytes("shopify/orders-updated.json"))
    renumbered = {**updated, "id": created["id"] + 5, "name": "#2041"}  # another platform id, the same number

    outcomes = _received_together(portal, shop, [
        ("orders/create", "w1", created), ("orders/updated", "w2", updated), ("orders/create", "w1", created),
        ("orders/updated", "w3", renumbered)])

    assert outcomes == [("stored", "order created"), ("stored", "order updated"), ("duplicate", "already received"),
                        ("stored", "order updated")]
    assert stored_orders(portal, shop) == {"#2041": ("paid", "partially_fulfilled", 1)}


def test_an_order_changed_by_another_process_after_it_was_read_is_read_again_before_writing(portal, factory,
                                                                                          monkeypatch):
    """An order is read before the lock is taken: another process may change it in between. What
    is written must not be based on the order as it was: an older version read before a newer
    one was stored is still ignored."""
    late_older_version_is_ignored(portal, factory.merchant("nordlys"), monkeypatch)


def test_a_refund_and_an_update_of_its_order_from_two_workers_at_once_both_land(portal, factory, monkeypatch):
    """A refund, a fulfilment or a return reads its order and works out what to write from it:
    it reads where no other worker can change the order before it commits."""
    refund_and_update_at_once_keep_both(portal, factory.merchant("nordlys"), monkeypatch)
