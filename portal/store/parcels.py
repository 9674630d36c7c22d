"""A bulk of carrier events: its reads as plain rows and its writes as executemany statements.

A bulk touches hundreds of parcels and orders; loading them as ORM objects cost two fifths of its
time, so they are plain rows here and every write is one Core statement for all of them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, union_all, update
from sqlmodel import Session, col, select

from portal.store.models import Order, Shipment, TrackingEvent


@dataclass(slots=True)
class TrackedOrder:
    """What a bulk of carrier events reads and writes of an order it moves (settle, e-mail, version)."""

    id: int
    merchant_id: int
    version: int
    updated_at: datetime
    fulfillment_status: str
    email: str | None
    email_opt_out_at: datetime | None


@dataclass(slots=True)
class Parcel:
    """What a bulk of carrier events reads and writes of a shipment."""

    id: int
    order_id: int
    carrier: str | None
    tracking_key: str | None
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    updated_at: datetime
    # Named in the staff timeline's entries (the key is the number normalised).
    tracking_number: str | None = None


# Built once, their lists bound at execution: a statement built per call coerced each of hundreds
# of values on the way.
_TRACKED_ORDERS = select(*(getattr(Order, f) for f in TrackedOrder.__slots__)).where(  # type: ignore[call-overload]
    Order.merchant_id == bindparam("merchant_id"), col(Order.id).in_(bindparam("order_ids", expanding=True)))
_PARCELS = select(*(getattr(Shipment, f) for f in Parcel.__slots__)).where(  # type: ignore[call-overload]
    Shipment.merchant_id == bindparam("merchant_id"),
    col(Shipment.order_id).in_(select(Shipment.order_id).where(
        Shipment.merchant_id == bindparam("merchant_id"),
        col(Shipment.tracking_key).in_(bindparam("keys", expanding=True)))),
).order_by(col(Shipment.id))
_EVENT_KEYS = (select(TrackingEvent.shipment_id, TrackingEvent.at, TrackingEvent.status)
               .where(col(TrackingEvent.shipment_id).in_(bindparam("shipment_ids", expanding=True))))
# A bulk's window [since, until], and for each parcel with events after it, those at its latest
# instant up to `ceiling` (any of them can be its latest, by status; no earlier one can, nor a
# later one, past what a carrier event may be: timestamps.ceiling).
_LATER = (select(TrackingEvent.shipment_id, func.max(TrackingEvent.at).label("at"))
          .where(col(TrackingEvent.shipment_id).in_(bindparam("shipment_ids", expanding=True)),
                 col(TrackingEvent.at) > bindparam("until"), col(TrackingEvent.at) <= bindparam("ceiling"))
          .group_by(TrackingEvent.shipment_id).subquery())
_EVENT_KEYS_AROUND = union_all(
    _EVENT_KEYS.where(col(TrackingEvent.at) >= bindparam("since"), col(TrackingEvent.at) <= bindparam("until")),
    select(TrackingEvent.shipment_id, TrackingEvent.at, TrackingEvent.status).join(
        _LATER, and_(col(TrackingEvent.shipment_id) == _LATER.c.shipment_id, col(TrackingEvent.at) == _LATER.c.at)),
)


def _rows(session: Session, statement: Any, **params: Any) -> Sequence[Any]:
    return session.connection().execute(statement, params).all()


def orders_for_tracking(session: Session, merchant_id: int, order_ids: Collection[int]) -> list[TrackedOrder]:
    """The orders a bulk of carrier events touches."""
    rows = _rows(session, _TRACKED_ORDERS, merchant_id=merchant_id, order_ids=list(order_ids))
    return [TrackedOrder(*row) for row in rows]


def parcels_sharing_orders_with(session: Session, merchant_id: int, keys: Collection[str]) -> list[Parcel]:
    """Every shipment of the merchant's orders that have a parcel with one of these tracking keys
    (the parcels addressed, and their siblings that decide whether the order is all delivered)."""
    rows = _rows(session, _PARCELS, merchant_id=merchant_id, keys=list(keys))
    return [Parcel(*row) for row in rows]


def event_keys(session: Session, shipment_ids: Collection[int], since: datetime | None = None,
               until: datetime | None = None, ceiling: datetime | None = None) -> set[tuple[int, datetime, str]]:
    """(shipment, time, status) of stored events, all of them without the bounds. With them, the
    bounds of a bulk of incoming events: the stored ones in between (what deduplication compares
    against), and each parcel's latest after it up to `ceiling` (what may still be its latest). Neither
    an event before every incoming one nor a later one behind the parcel's latest can matter, so a
    parcel's long history is not read again each time."""
    if not shipment_ids:
        return set()
    if since is None or until is None or ceiling is None:
        rows = _rows(session, _EVENT_KEYS, shipment_ids=list(shipment_ids))
    else:
        rows = _rows(session, _EVENT_KEYS_AROUND, shipment_ids=list(shipment_ids), since=since, until=until,
                     ceiling=ceiling)
    return {(shipment_id, at, status) for shipment_id, at, status in rows}


_MOVE_SHIPMENT = (
    update(Shipment.__table__)  # type: ignore[arg-type]
    .where(Shipment.__table__.c.id == bindparam("shipment_id"))  # type: ignore[attr-defined]
    .values(status=bindparam("status"), delivered_at=bindparam("delivered_at"), updated_at=bindparam("updated_at"))
)
_SETTLE = (
    update(Order.__table__)  # type: ignore[arg-type]
    .where(Order.__table__.c.id == bindparam("order_id"))  # type: ignore[attr-defined]
    .values(fulfillment_status="fulfilled")
)
_TOUCH = (
    update(Order.__table__)  # type: ignore[arg-type]
    .where(Order.__table__.c.id == bindparam("order_id"))  # type: ignore[attr-defined]
    .values(version=Order.__table__.c.version + 1, updated_at=bindparam("now"))  # type: ignore[attr-defined]
)


def move_parcels(session: Session, moves: list[dict[str, Any]], now: datetime) -> None:
    """New statuses of many shipments (rows of shipment_id, status, delivered_at), one executemany."""
    if moves:
        session.connection().execute(_MOVE_SHIPMENT, [{**move, "updated_at": now} for move in moves])


def settle_orders(session: Session, order_ids: Sequence[int]) -> None:
    """Mark orders fulfilled, one executemany."""
    if order_ids:
        session.connection().execute(_SETTLE, [{"order_id": order_id} for order_id in order_ids])


def touch_orders(session: Session, order_ids: Sequence[int], now: datetime) -> None:
    """Bump each order's version, counted up in SQL: a writer that read an order earlier cannot
    repeat a version."""
    if order_ids:
        session.connection().execute(_TOUCH, [{"order_id": order_id, "now": now} for order_id in order_ids])
