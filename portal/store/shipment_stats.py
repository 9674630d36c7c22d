"""Shipments as the console's analytics read them: one row per shipment of a period (carrier,
destination, first scan, delivery, estimate, exception), and the open shipments that may be late.
Bounded by the shop and a time range. A shipment's first scan and exception are kept on its row
when its events are stored (note_scans); the last event comes from the tracking events' index."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Date, and_, bindparam, case, cast, func, or_, update
from sqlmodel import Session, col, select

from portal.store.models import Order, Shipment, TrackingEvent

# Events that are no scan of the parcel: the label exists, the carrier has not seen it yet.
NOT_SCANS = ("pending", "info_received")


class CarrierCounts(NamedTuple):
    """Shipments of one carrier and destination that took the same time from the first scan to
    delivery (in tenths of a day; None: not delivered, or no scan), counted by the database: a
    period holds tens of thousands of shipments, and a few thousand counts read much faster."""

    carrier: str | None
    carrier_name: str | None
    country: str | None
    transit_tenths: int | None
    shipments: int
    delivered: int
    with_estimate: int  # delivered, with an estimated date
    on_time: int  # of those, delivered on or before the estimate's last day, in the shop's calendar
    exceptions: int


class OpenShipment(NamedTuple):
    shipment_id: int
    order_id: int
    order_number: str
    carrier: str | None
    carrier_name: str | None
    tracking_number: str | None
    status: str
    shipped_at: datetime | None
    last_event: datetime | None
    estimated: date | None


_NOTE_SCANS = (
    update(Shipment.__table__)  # type: ignore[arg-type]
    .where(col(Shipment.__table__.c.id).in_(bindparam("shipment_ids", expanding=True)))  # type: ignore[attr-defined]
    .values(
        first_scan_at=select(func.min(TrackingEvent.at)).where(
            TrackingEvent.shipment_id == Shipment.__table__.c.id,  # type: ignore[attr-defined]
            col(TrackingEvent.status).not_in(NOT_SCANS)).scalar_subquery(),
        had_exception=select(TrackingEvent.id).where(
            TrackingEvent.shipment_id == Shipment.__table__.c.id,  # type: ignore[attr-defined]
            TrackingEvent.status == "exception").exists(),
    )
)


def note_scans(session: Session, shipment_ids: Collection[int]) -> None:
    """Set the shipments' first scan and exception flag from their stored events: run after events
    are stored, in the same transaction."""
    if shipment_ids:
        session.connection().execute(_NOTE_SCANS, {"shipment_ids": sorted(shipment_ids)})


def _last_event():
    e = TrackingEvent
    return select(func.max(e.at)).where(e.shipment_id == Shipment.id).correlate(Shipment).scalar_subquery()


def _estimate():
    return func.coalesce(Shipment.estimated_delivery_end, Shipment.estimated_delivery)


def _days_between(dialect: str, earlier: Any, later: Any) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _local_date(dialect: str, instant: Any, zone: str, offsets: Sequence[tuple[datetime | None, int]]) -> Any:
    """The date of a UTC instant in the shop's time zone. PostgreSQL knows time zones; SQLite is
    given the zone's UTC offsets over the range read (each from the instant it starts)."""
    if dialect == "postgresql":
        return cast(func.timezone(zone, instant), Date)
    changes = [(instant >= since, f"{seconds:+d} seconds") for since, seconds in reversed(offsets) if since]
    first = f"{offsets[0][1]:+d} seconds"
    return func.date(instant, case(*changes, else_=first) if changes else first)


def shipped_between(session: Session, merchant_id: int, start: datetime, end: datetime, zone: str,
                    offsets: Sequence[tuple[datetime | None, int]]) -> list[CarrierCounts]:
    """The shop's shipments shipped from `start` to `end`, counted by carrier, destination and
    transit time. `zone`: the shop's time zone; `offsets`: its UTC offsets (seconds) from `start`
    to now, the first with None, then (instant, offset) at each change."""
    dialect = session.connection().dialect.name
    had_exception = or_(col(Shipment.status) == "exception", col(Shipment.had_exception))
    country = Order.__table__.c.shipping_address["country_code"].as_string()  # type: ignore[attr-defined]
    delivered = col(Shipment.delivered_at).is_not(None)
    with_estimate = and_(delivered, _estimate().is_not(None))
    on_time = case((with_estimate, _local_date(dialect, Shipment.delivered_at, zone, offsets) <= _estimate()))
    tenths = func.round(_days_between(dialect, Shipment.first_scan_at, Shipment.delivered_at) * 10)
    facts = (
        select(Shipment.carrier, Shipment.carrier_name, country.label("country"),
               case((delivered, tenths)).label("tenths"), delivered.label("delivered"),
               with_estimate.label("with_estimate"), on_time.label("on_time"), had_exception.label("exception"))
        .join(Order, col(Order.id) == Shipment.order_id)
        .where(Shipment.merchant_id == merchant_id, col(Shipment.shipped_at) >= start, col(Shipment.shipped_at) < end)
    ).subquery()
    f = facts.c
    key = (f.carrier, f.carrier_name, f.country, f.tenths)
    statement = select(*key, func.count(), *(func.count(case((flag, 1))) for flag in (
        f.delivered, f.with_estimate, f.on_time, f.exception))).group_by(*key)
    return [CarrierCounts(*row) for row in session.exec(statement).all()]


def open_and_quiet(session: Session, merchant_id: int, since: datetime, quiet_since: datetime,
                   today: date, limit: int) -> list[OpenShipment]:
    """Shipments shipped since `since`, not delivered, of orders not cancelled, that either have had no
    event (or, without events, were shipped) before `quiet_since`, or whose estimate ended before
    `today`; the longest quiet first, at most `limit`."""
    last = _last_event()
    quiet = func.coalesce(last, Shipment.shipped_at)
    statement = (
        select(Shipment.id, Shipment.order_id, Order.number, Shipment.carrier, Shipment.carrier_name,
               Shipment.tracking_number, Shipment.status, Shipment.shipped_at, last, _estimate())
        .join(Order, col(Order.id) == Shipment.order_id)
        .where(Shipment.merchant_id == merchant_id, col(Shipment.shipped_at) >= since,
               col(Shipment.status) != "delivered", col(Order.status) != "cancelled",
               or_(quiet < quiet_since, and_(_estimate().is_not(None), _estimate() < today)))
        .order_by(quiet, Shipment.id)
        .limit(limit)
    )
    return [OpenShipment(*row) for row in session.exec(statement).all()]
