"""upsert_order notices when nothing changed: re-sent webhooks and re-imported files are no news."""

from __future__ import annotations

from portal.orders import upsert_order
from portal.schemas import OrderIn
from portal.store import queries
from portal.store.db import session_scope
from tests.conftest import order_data

SHIPMENT = {"tracking_number": "1Z999AA10123456784", "shipped_at": "2026-11-03T08:00:00Z",
            "events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit"}]}


def upsert(portal, merchant, **overrides):
    with session_scope(portal.engine) as session:
        result = upsert_order(session, merchant, OrderIn.model_validate(order_data(**overrides)))
        timeline = len(queries.timeline(session, result.order.id, shopper_only=False))
        events = len(queries.events_for(session, [s.id for s in queries.shipments(session, result.order.id)]))
        return result, timeline, events


def test_the_same_order_twice_is_not_a_change(portal, merchant):
    first, timeline, events = upsert(portal, merchant, payment_status="paid", shipments=[SHIPMENT])
    assert first.created and first.changed
    again, timeline_again, events_again = upsert(portal, merchant, payment_status="paid", shipments=[SHIPMENT])
    assert not again.created and not again.changed
    assert again.order.version == first.order.version
    assert again.order.updated_at == first.order.updated_at
    assert (timeline_again, events_again) == (timeline, events)


def test_any_real_change_bumps_the_version_once(portal, merchant):
    first, *_ = upsert(portal, merchant)
    for overrides in ({"note": "changed"}, {"line_items": [{"title": "Other mug", "unit_price": "1"}]},
                      {"shipments": [SHIPMENT]}):
        before = upsert(portal, merchant)[0].order.version  # back to the original each time
        result, *_ = upsert(portal, merchant, **overrides)
        assert result.changed, overrides
        assert result.order.version == before + 1


def test_an_update_given_what_its_caller_read_reads_none_of_it_again(portal, merchant):
    """The webhook path reads an order, its line items and parcels before its transaction's first
    write (which takes SQLite's write lock to the commit: ingest.OrderChange) and hands them to
    upsert_order, which must not read them again under the lock."""
    from sqlalchemy import event

    from portal.orders import stored_order

    upsert(portal, merchant, shipments=[SHIPMENT])
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_):
        statements.append(statement.lstrip())

    event.listen(portal.engine, "before_cursor_execute", note)
    try:
        with session_scope(portal.engine) as session:
            found = queries.upsert_targets(session, merchant.id, "api", None, "1001")
            stored = stored_order(session, found[1])
            statements.clear()
            result = upsert_order(session, merchant, OrderIn.model_validate(order_data(
                payment_status="refunded", note="changed", shipments=[SHIPMENT],
                line_items=[{"title": "Other mug", "unit_price": "1"}])), found=found, stored=stored)
            assert result.changed
    finally:
        event.remove(portal.engine, "before_cursor_execute", note)
    assert [s for s in statements if s.upper().startswith("SELECT")
            and ("FROM line_items" in s or "FROM shipments" in s or "FROM orders" in s)] == []
    with session_scope(portal.engine) as session:  # and the update itself went through
        assert [i.title for i in queries.line_items(session, result.order.id)] == ["Other mug"]
        assert len(queries.shipments(session, result.order.id)) == 1
