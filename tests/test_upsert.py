"""upsert_order notices when nothing changed: re-sent webhooks and re-imported files are no news."""

from __future__ import annotations

from portal.orders.upsert import upsert_order
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
