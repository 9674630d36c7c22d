"""Carrier and aggregator tracking updates addressed by tracking number (POST /api/v1/events)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from portal import carriers
from portal.live import hub
from portal.orders import shipments, staff_log
from portal.notify import notifications
from portal.schemas import TrackingUpdateIn, error_list
from portal.store import outbox, parcels
from portal.store.models import Merchant, utcnow


def add_tracking_updates(session: Session, merchant: Merchant, updates: list[TrackingUpdateIn],
                         raws: list[dict[str, Any]], actor: staff_log.Actor = staff_log.PORTAL) -> list[str]:
    """Apply carrier events addressed by tracking number, in bulk: a handful of statements however
    many events (plain rows and executemany statements: store.parcels). Returns per update
    "added", "duplicate" or "unknown_tracking_number"."""
    keys = [shipments.tracking_key(update.tracking_number) or "" for update in updates]
    by_key: dict[str, list[parcels.Parcel]] = {}
    order_shipments: dict[int, list[parcels.Parcel]] = {}
    for shipment in parcels.parcels_sharing_orders_with(session, merchant.id, set(keys)):
        by_key.setdefault(shipment.tracking_key or "", []).append(shipment)
        order_shipments.setdefault(shipment.order_id, []).append(shipment)
    items: list[shipments.EventItem] = []
    owners: list[int] = []  # index of the update each item came from
    for index, (update, key) in enumerate(zip(updates, keys)):
        for shipment in _addressed(by_key.get(key, []), update.carrier):
            items.append((shipment, update, raws[index]))
            owners.append(index)
    status_before = {shipment.id: shipment.status for shipment, _, _ in items}
    addressed = {shipment.order_id for shipment, _, _ in items}
    loaded = {order.id: order for order in parcels.orders_for_tracking(session, merchant.id, addressed)} if items else {}
    added, moves = shipments.store_events(session, items)
    now = utcnow()
    parcels.move_parcels(session, moves, now)
    by_id = {shipment.id: shipment for shipment, _, _ in items}
    for move in moves:
        parcel = by_id[move["shipment_id"]]
        parcel.status, parcel.delivered_at, parcel.updated_at = move["status"], move["delivered_at"], now
    results = ["unknown_tracking_number"] * len(updates)
    for index, new in zip(owners, added):
        results[index] = "added" if new or results[index] == "added" else "duplicate"
    touched = {shipment.order_id for (shipment, _, _), new in zip(items, added) if new}
    moving = [order for order in (loaded.get(order_id) for order_id in sorted(touched)) if order is not None]
    settled = [order for order in moving if shipments.settles(order, order_shipments.get(order.id, []))]
    parcels.settle_orders(session, [order.id for order in settled])
    fulfilled = [staff_log.entry(order, actor, "updated", {"fulfillment_status": [order.fulfillment_status, "fulfilled"]},
                                 at=now) for order in settled]
    for order in settled:
        order.fulfillment_status = "fulfilled"
    new_events: dict[int, int] = {}
    for (shipment, _, _), new in zip(items, added):
        new_events[shipment.id] = new_events.get(shipment.id, 0) + new
    messages = []
    entries: list[dict[str, Any]] = []
    for order in moving:
        moved = [s for s in order_shipments.get(order.id, []) if s.id in status_before]
        messages += filter(None, (notifications.shipment_message(merchant, order, s, status_before[s.id]) for s in moved))
        entries += [staff_log.entry(order, actor, "shipment", shipments.parcel_changes(
            s, False, status_before[s.id], new_events.get(s.id, 0)), at=now) for s in moved if new_events.get(s.id)]
    outbox.queue(session, messages)
    staff_log.record_rows(session, entries + fulfilled)  # the parcels' news, then what it did to the order
    parcels.touch_orders(session, [order.id for order in moving], now)
    for order in moving:
        order.version, order.updated_at = order.version + 1, now
        moved = [s for s in order_shipments.get(order.id, []) if s.id in status_before]
        hub.record(session, order, hub.SHIPPING_PANELS, *(hub.Fact("shipment_status", s.status, s.id) for s in moved
                                                            if s.status != status_before[s.id]))
    return results


def _addressed(shipments: list[parcels.Parcel], carrier: str | None) -> list[parcels.Parcel]:
    """Every shipment with the number, unless the event's carrier picks some of them out: one
    parcel can carry several orders, but two carriers can also reuse the same number."""
    code = carriers.carrier_code(carrier) if carrier else None
    picked = [s for s in shipments if code and s.carrier == code]
    return picked or shipments


def apply_payload(session: Session, merchant: Merchant, events: list[Any],
                  actor: staff_log.Actor = staff_log.PORTAL) -> dict[str, Any]:
    """Validate each event on its own (one bad event does not sink the batch), apply the valid ones,
    and report on every event by its index in the request."""
    results: list[dict[str, Any]] = []
    updates: list[TrackingUpdateIn] = []
    raws: list[dict[str, Any]] = []
    for index, raw in enumerate(events):
        try:
            update = TrackingUpdateIn.model_validate(raw)
        except ValidationError as exc:
            errors = [{"field": f"events.{index}.{e['field']}".rstrip("."), "message": e["message"]}
                      for e in error_list(exc)]
            number = raw.get("tracking_number") if isinstance(raw, dict) else None
            results.append({"index": index, "tracking_number": number if isinstance(number, str) else None,
                            "result": "invalid", "errors": errors})
            continue
        results.append({"index": index, "tracking_number": update.tracking_number, "result": ""})
        updates.append(update)
        raws.append(raw)
    outcomes = iter(add_tracking_updates(session, merchant, updates, raws, actor) if updates else [])
    for result in results:
        if not result["result"]:
            result["result"] = next(outcomes)
    counts = {name: 0 for name in ("added", "duplicate", "unknown_tracking_number", "invalid")}
    for result in results:
        counts[result["result"]] += 1
    return {
        "received": len(results),
        "added": counts["added"],
        "duplicates": counts["duplicate"],
        "unknown": counts["unknown_tracking_number"],
        "invalid": counts["invalid"],
        "results": results,
    }
