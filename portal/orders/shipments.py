"""Shipment service: an order's parcels, their tracking events and the statuses those move."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlmodel import Session

from portal import carriers, timestamps
from portal.live import hub
from portal.notify import notifications
from portal.orders import staff_log
from portal.orders.changes import SHIPMENT_VOLATILE, add_timeline, state, timeline_row, touch
from portal.schemas import EventIn, ShipmentIn
from portal.statuses import shipment_step
from portal.store import parcels, queries, shipment_stats, writes
from portal.store.models import Merchant, Order, Shipment, TrackingEvent, utcnow


def tracking_key(number: str | None) -> str | None:
    key = carriers.normalise_number(number or "")
    return key or None


def upsert_shipment(session: Session, merchant: Merchant, order: Order, data: ShipmentIn, bump: bool = True,
                    actor: staff_log.Actor = staff_log.PORTAL) -> Shipment:
    """Add a shipment to an order, or update the one with the same tracking number / external id."""
    shipment, changed = save_shipment(session, merchant, order, data, actor=actor)
    if changed and bump:
        _settle_logged(session, order, actor)
        touch(session, order, hub.SHIPPING_PANELS)
    return shipment


def _settle_logged(session: Session, order: Order, actor: staff_log.Actor) -> None:
    """settle_delivery(), with a staff entry when it fulfils the order."""
    before = order.fulfillment_status
    if settle_delivery(session, order):
        staff_log.record(session, order, actor, "updated", {"fulfillment_status": [before, order.fulfillment_status]})


def parcel_changes(shipment: Shipment | parcels.Parcel, created: bool, status_before: str | None,
                   events: int) -> dict[str, Any]:
    """What a staff entry of kind "shipment" lists about one parcel."""
    changes: dict[str, Any] = {"tracking_number": shipment.tracking_number or "",
                               "carrier": getattr(shipment, "carrier_name", None)
                               or (carriers.carrier_display_name(shipment.carrier) if shipment.carrier else "")}
    if created:
        changes["added"] = True
    if created or status_before != shipment.status:
        changes["status"] = [status_before, shipment.status]
    if events:
        changes["events"] = events
    return changes


def save_shipment(session: Session, merchant: Merchant, order: Order, data: ShipmentIn,
                  shipments: list[Shipment] | None = None,
                  actor: staff_log.Actor = staff_log.PORTAL) -> tuple[Shipment, bool]:
    """Create or update one shipment. `shipments`: the order's shipments, when the caller has them
    (a new one is appended). `actor`: who sends it, for the staff timeline."""
    key = tracking_key(data.tracking_number)
    shipment = None
    for existing in queries.shipments(session, order.id) if shipments is None else shipments:
        if (key and existing.tracking_key == key) or (data.external_id and existing.external_id == data.external_id):
            shipment = existing
            break
    match = carriers.detect(data.tracking_number, data.carrier, data.tracking_url) if data.tracking_number else None
    now = utcnow()
    created = shipment is None
    if shipment is None:
        shipment = Shipment(order_id=order.id, merchant_id=merchant.id, created_at=now, updated_at=now)
        if shipments is not None:
            shipments.append(shipment)
    before = state(shipment, SHIPMENT_VOLATILE)
    status_before = None if created else shipment.status
    shipment.external_id = data.external_id or shipment.external_id
    if data.tracking_number:
        shipment.tracking_number = data.tracking_number.strip()
        shipment.tracking_key = key
    if match is not None:
        shipment.carrier = match.carrier or (data.carrier or None)
        shipment.carrier_name = match.carrier_name or data.carrier
        shipment.tracking_url = match.tracking_url
    elif data.carrier:
        shipment.carrier = carriers.carrier_code(data.carrier) or data.carrier
        shipment.carrier_name = carriers.carrier_display_name(shipment.carrier) if carriers.carrier_code(data.carrier) else data.carrier
        shipment.tracking_url = data.tracking_url
    if data.status and (created or not _carrier_went_further(session, shipment, data.status)):
        shipment.status = data.status
        if data.status == "delivered" and shipment.delivered_at is None:
            shipment.delivered_at = max((e.at for e in data.events if e.status == "delivered"), default=now)
    if created:
        # Not given: the parcel left by its first scan, not when we heard of it.
        first_scan = min((event.at.astimezone(timezone.utc) for event in data.events), default=None)
        shipment.shipped_at = data.shipped_at or first_scan or now
    elif data.shipped_at:
        shipment.shipped_at = data.shipped_at
    if data.estimated_delivery:
        shipment.estimated_delivery = data.estimated_delivery
        shipment.estimated_delivery_end = data.estimated_delivery_end
    changed = created or state(shipment, SHIPMENT_VOLATILE) != before
    if changed:
        shipment.updated_at = now
    session.add(shipment)
    session.flush()
    if created:
        add_timeline(session, [timeline_row(order, "shipped", shipment.shipped_at or now, {
            "carrier": shipment.carrier_name or "", "tracking_number": shipment.tracking_number or ""})])
    added = record_events(session, shipment, data.events, derive_status=data.status is None)
    changed = changed or added > 0
    if changed:
        facts = [hub.Fact("shipment_created", shipment.status, shipment.id)] if created else []
        if status_before is not None and shipment.status != status_before:
            facts.append(hub.Fact("shipment_status", shipment.status, shipment.id))
        hub.record(session, order, hub.SHIPPING_PANELS, *facts)
        notifications.shipment_changed(session, merchant, order, shipment, status_before)
        staff_log.record(session, order, actor, "shipment", parcel_changes(shipment, created, status_before, added))
    return shipment, changed


def _carrier_went_further(session: Session, shipment: Shipment, status: str) -> bool:
    """Whether the parcel's own latest tracking event is further along than `status`, a status a
    platform or file states for it. Then the stated one is old news: platforms pass carrier news
    on late (an order update still says "in transit" after the carrier said "delivered"), and a
    file imported again says what it said the first time."""
    if shipment_step(status) >= shipment_step(shipment.status):
        return False
    ceiling = timestamps.ceiling()
    stored = parcels.event_keys(session, [shipment.id])
    latest = max((_rank(at, event_status, ceiling) for _, at, event_status in stored), default=None)
    if latest is None or not latest[0]:  # no events, or none in the accepted range
        return False
    return latest[2] > shipment_step(status)


def _rank(at: datetime, status: str, ceiling: datetime) -> tuple[bool, datetime, int, str]:
    """Which of a parcel's events is its latest: the later one; at the same instant, the one
    further along (delivered beats out for delivery). An event outside the accepted range (stored
    before it existed) comes before every one inside it, so it cannot pin the parcel's status."""
    return timestamps.counts(at, ceiling), at, shipment_step(status), status


# -- tracking events -----------------------------------------------------------------------

# A shipment is an ORM object (one order's events) or a plain row (a bulk of carrier events).
EventItem = tuple["Shipment | parcels.Parcel", EventIn, "dict[str, Any] | None"]


def store_events(session: Session, items: list[EventItem], derive_status: bool = True) -> tuple[list[bool], list[dict[str, Any]]]:
    """Store events in one statement, skipping any already stored for that shipment at that time
    with that status. Returns, per item, whether it was new; and with `derive_status`, where
    each shipment with a new event moves (its latest event: shipment_id, status, delivered_at),
    for the caller to write."""
    if not items:
        return [], []
    shipments = {shipment.id: shipment for shipment, _, _ in items}
    moments = [event.at.astimezone(timezone.utc) for _, event, _ in items]
    ceiling = timestamps.ceiling()
    seen = parcels.event_keys(session, list(shipments), min(moments), max(moments), ceiling)
    rows: list[dict[str, Any]] = []
    added: list[bool] = []
    for shipment, event, raw in items:
        at = event.at.astimezone(timezone.utc)
        key = (shipment.id, at, event.status)
        added.append(key not in seen)
        if key in seen:
            continue
        seen.add(key)
        rows.append({
            "shipment_id": shipment.id, "at": at, "status": event.status, "substatus": event.substatus,
            "message": event.message, "location": event.location,
            "raw": raw if raw is not None else event.model_dump(mode="json"),
        })
    writes.insert_rows(session, TrackingEvent, rows)
    shipment_stats.note_scans(session, {row["shipment_id"] for row in rows})
    moves: list[dict[str, Any]] = []
    if rows and derive_status:
        latest: dict[int, tuple[bool, datetime, int, str]] = {}  # the latest event sets the status
        for shipment_id, at, status in seen:
            rank = _rank(at, status, ceiling)
            if shipment_id in shipments and (shipment_id not in latest or rank > latest[shipment_id]):
                latest[shipment_id] = rank
        for shipment_id in sorted({row["shipment_id"] for row in rows}):
            _, at, _, status = latest[shipment_id]
            moves.append({"shipment_id": shipment_id, "status": status,
                          "delivered_at": at if status == "delivered" else shipments[shipment_id].delivered_at})
    return added, moves


def record_events(session: Session, shipment: Shipment, events: list[EventIn], derive_status: bool = True) -> int:
    """store_events() for one loaded shipment, moved to its latest event. Returns how many were new."""
    added, moves = store_events(session, [(shipment, event, None) for event in events], derive_status)
    for move in moves:
        shipment.status, shipment.delivered_at, shipment.updated_at = move["status"], move["delivered_at"], utcnow()
        session.add(shipment)
    return sum(added)


def add_events(session: Session, order: Order, shipment: Shipment, events: list[EventIn],
               derive_status: bool = True, bump: bool = True, actor: staff_log.Actor = staff_log.PORTAL) -> int:
    """Store a shipment's tracking events, skipping ones already stored (same time and status).
    Returns how many were new."""
    status_before = shipment.status
    added = record_events(session, shipment, events, derive_status)
    if added:
        staff_log.record(session, order, actor, "shipment", parcel_changes(shipment, False, status_before, added))
        facts = [hub.Fact("shipment_status", shipment.status, shipment.id)] if shipment.status != status_before else []
        hub.record(session, order, hub.SHIPPING_PANELS, *facts)
        merchant = session.get(Merchant, order.merchant_id)
        if merchant is not None:
            notifications.shipment_changed(session, merchant, order, shipment, status_before)
    if added and bump:
        _settle_logged(session, order, actor)
        touch(session, order, hub.SHIPPING_PANELS)
    session.flush()
    return added


def settle_delivery(session: Session, order: Order, shipments: list[Shipment] | None = None) -> bool:
    """When every shipment of an order is delivered, the order counts as fulfilled (a carrier's
    word beats a platform that never sent the update). Returns whether the order changed."""
    if shipments is None:
        shipments = list(queries.shipments(session, order.id))
    if not settles(order, shipments):
        return False
    order.fulfillment_status = "fulfilled"
    session.add(order)
    return True


def settles(order: Order | parcels.TrackedOrder, shipments: Sequence[Shipment | parcels.Parcel]) -> bool:
    """Whether the order is now fulfilled by its parcels (settle_delivery). A partially fulfilled
    order still has items to ship, so it stays as it is."""
    return all_delivered(shipments) and order.fulfillment_status not in ("fulfilled", "partially_fulfilled")


def all_delivered(shipments: Sequence[Shipment | parcels.Parcel]) -> bool:
    return bool(shipments) and all(s.status == "delivered" for s in shipments)


def fulfillment_display(order: Order, shipments: Sequence[Shipment]) -> str:
    """What the shopper's "Shipping" badge says: "delivered" once every parcel has arrived;
    "partially_delivered" when they have but the shop still has items to ship."""
    if all_delivered(shipments):
        return "partially_delivered" if order.fulfillment_status == "partially_fulfilled" else "delivered"
    return order.fulfillment_status


def remove_shipments(session: Session, order: Order, external_ids: Collection[str],
                     shipments: Sequence[Shipment] | None = None, actor: staff_log.Actor = staff_log.PORTAL) -> int:
    """Drop shipments the platform cancelled (by their external id), with their tracking events.
    `shipments`: the order's, if the caller read them already."""
    stored = queries.shipments(session, order.id) if shipments is None else shipments
    doomed = [s for s in stored if s.external_id in external_ids]
    if not doomed:
        return 0
    writes.delete_shipments(session, [s.id for s in doomed])
    staff_log.record_rows(session, [staff_log.entry(order, actor, "shipment_removed", {
        "tracking_number": s.tracking_number or "", "carrier": s.carrier_name or s.carrier or ""}) for s in doomed])
    touch(session, order, hub.SHIPPING_PANELS)
    return len(doomed)


def by_id(session: Session, merchant_id: int, shipment_id: int) -> Shipment | None:
    return queries.shipment_by_id(session, merchant_id, shipment_id)


def events_of(session: Session, shipment: Shipment) -> list[TrackingEvent]:
    """The shipment's tracking events, newest first."""
    return list(queries.events_for(session, [shipment.id]))
