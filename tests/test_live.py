"""Change notification: recorded in the transaction, announced only after it commits."""

from __future__ import annotations


import pytest
from sqlmodel import select

from portal.live import hub
from portal.orders.upsert import revoke_links
from portal.orders.shipments import add_events, remove_shipments, upsert_shipment
from portal.schemas import EventIn, ShipmentIn
from portal.store.db import session_scope
from portal.store.models import Order, TimelineEntry
from tests.sse_client import run_async


class Recorder:
    """Collects what a broker publishes, as an open page would receive it."""

    def __init__(self, broker: hub.Broker) -> None:
        self.changes: list[hub.OrderChange] = []
        self._publish = broker.publish
        broker.publish = self.publish  # type: ignore[method-assign]

    def publish(self, changes) -> None:
        changes = list(changes)
        self.changes.extend(changes)
        self._publish(changes)


@pytest.fixture
def published(portal) -> Recorder:
    return Recorder(portal.live)


@pytest.fixture
def order(factory, merchant):
    return factory.order(merchant)


def ship(session, merchant, order, **fields):
    fresh = session.get(Order, order.id)
    return fresh, upsert_shipment(session, merchant, fresh, ShipmentIn(tracking_number="1Z999AA10123456784", **fields))


def test_commit_publishes_once_per_order_with_the_final_version(portal, merchant, order, published):
    with session_scope(portal.engine) as session:
        fresh, shipment = ship(session, merchant, order)
        add_events(session, fresh, shipment, [EventIn(at="2026-11-04T10:00:00Z", status="out_for_delivery")])
        version = fresh.version
    (change,) = published.changes
    assert change.order_id == order.id and change.merchant_id == merchant.id
    assert change.version == version
    assert change.panels == hub.SHIPPING_PANELS
    assert hub.Fact("shipment_created", "pending", shipment.id) in change.facts
    assert hub.Fact("shipment_status", "out_for_delivery", shipment.id) in change.facts


def test_rollback_publishes_nothing(portal, merchant, order, published):
    with pytest.raises(RuntimeError):
        with session_scope(portal.engine) as session:
            ship(session, merchant, order)
            raise RuntimeError("the request failed half-way")
    assert published.changes == []
    with session_scope(portal.engine) as session:  # the next transaction starts clean
        session.get(Order, order.id)
    assert published.changes == []


def test_a_savepoint_is_not_the_commit(portal, merchant, order, published):
    with session_scope(portal.engine) as session:
        with session.begin_nested():
            ship(session, merchant, order)
        assert published.changes == []
    assert len(published.changes) == 1


def test_change_handlers_run_inside_the_transaction(portal, merchant, order, published):
    seen: list[list[hub.OrderChange]] = []

    def handler(session, changes):
        seen.append(changes)
        # A row written here (an outbox, say) commits or rolls back with the order.
        session.add(TimelineEntry(order_id=changes[0].order_id, at=order.placed_at, kind="handler_ran"))

    hub.on_change(handler)
    try:
        with pytest.raises(ValueError):
            with session_scope(portal.engine) as session:
                ship(session, merchant, order)
                session.flush()
                raise ValueError("rolled back before commit")
        assert seen == []
        with session_scope(portal.engine) as session:
            ship(session, merchant, order)
    finally:
        hub._handlers.remove(handler)
    assert len(seen) == 1 and seen[0][0].order_id == order.id
    with session_scope(portal.engine) as session:
        kinds = session.exec(select(TimelineEntry.kind).where(TimelineEntry.order_id == order.id)).all()
    assert kinds.count("handler_ran") == 1


def test_revoking_links_is_announced(portal, order, published):
    with session_scope(portal.engine) as session:
        revoke_links(session, session.get(Order, order.id))
    (change,) = published.changes
    assert change.facts == (hub.Fact("link_revoked", ""),)


def test_every_version_bump_is_announced(portal, merchant, order, published):
    with session_scope(portal.engine) as session:
        ship(session, merchant, order, external_id="f-1")
    with session_scope(portal.engine) as session:
        fresh = session.get(Order, order.id)
        assert remove_shipments(session, fresh, {"f-1"}) == 1
        version = fresh.version
    assert published.changes[-1].version == version
    assert published.changes[-1].panels == hub.SHIPPING_PANELS


def test_change_survives_the_postgres_payload_round_trip():
    change = hub.OrderChange(1, 2, 3, frozenset({"status", "timeline"}), (hub.Fact("shipment_status", "delivered", 9),))
    assert hub.OrderChange.from_json(change.to_json()) == change


def test_one_client_holds_a_bounded_number_of_streams():
    async def scenario():
        broker = hub.Broker(max_total=10, max_per_client=2)
        first = broker.subscribe(1, "203.0.113.9")
        broker.subscribe(2, "203.0.113.9")
        with pytest.raises(hub.TooManyStreams) as refused:
            broker.subscribe(3, "203.0.113.9")
        assert refused.value.client == "203.0.113.9"
        broker.subscribe(3, "198.51.100.4")  # another shopper is not held back
        broker.unsubscribe(first)
        broker.subscribe(3, "203.0.113.9")  # a closed stream frees its place
        assert broker.stats() == {"streams": 3, "orders": 2, "clients": 2}

    run_async(scenario())


def test_broker_bounds_and_releases_streams():
    async def scenario():
        broker = hub.Broker(max_total=3)
        first = broker.subscribe(1)
        broker.subscribe(1)
        third = broker.subscribe(2)
        with pytest.raises(hub.TooManyStreams):
            broker.subscribe(3)
        broker.unsubscribe(first)
        broker.unsubscribe(first)  # twice is harmless
        assert broker.stats() == {"streams": 2, "orders": 2, "clients": 1}
        broker.publish([hub.OrderChange(1, 3, 7, frozenset({"status"}))])
        assert await third.wait(0.05) is None  # another order's news is not delivered
        broker.publish([hub.OrderChange(1, 2, 8, frozenset({"items"})), hub.OrderChange(1, 2, 9, frozenset({"status"}))])
        assert await third.wait(1) == ({"items", "status"}, 9)  # coalesced
        return broker

    broker = run_async(scenario())
    assert broker.stats()["streams"] == 2
