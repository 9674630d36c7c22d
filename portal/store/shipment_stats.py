"""Shipments as the console's analytics read them: one row per shipment of a period (carrier,
destination, first scan, delivery, estimate, exception), and the open shipments that may be late.
Bounded by the shop and a time range; first and last scans come from the tracking events' index."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from portal.store.models import Order, Shipment, TrackingEvent

# Events that are no scan of the parcel: the label exists, the carrier has not seen it yet.
NOT_SCANS = ("pending", "info_received")


class ShipmentFacts(NamedTuple):
    carrier: str | None
    carrier_name: str | None
    country: str | None
    first_scan: datetime | None
    delivered_at: datetime | None
    estimated: date | None  # the estimate's last day (the end of a range, else the date)
    exception: bool


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


def _first_scan():
    e = TrackingEvent
    return (select(func.min(e.at)).where(e.shipment_id == Shipment.id, col(e.status).not_in(NOT_SCANS))
            .correlate(Shipment).scalar_subquery())


def _last_event():
    e = TrackingEvent
    return select(func.max(e.at)).where(e.shipment_id == Shipment.id).correlate(Shipment).scalar_subquery()


def _estimate():
    return func.coalesce(Shipment.estimated_delivery_end, Shipment.estimated_delivery)


def shipped_between(session: Session, merchant_id: int, start: datetime, end: datetime) -> list[ShipmentFacts]:
    """Every shipment of the shop shipped from `start` to `end`."""
    e = TrackingEvent
    had_exception = or_(col(Shipment.status) == "exception",
                        exists().where(e.shipment_id == Shipment.id, col(e.status) == "exception"))
    country = Order.__table__.c.shipping_address["country_code"].as_string()  # type: ignore[attr-defined]
    statement = (
        select(Shipment.carrier, Shipment.carrier_name, country, _first_scan(), Shipment.delivered_at, _estimate(),
               had_exception)
        .join(Order, col(Order.id) == Shipment.order_id)
        .where(Shipment.merchant_id == merchant_id, col(Shipment.shipped_at) >= start, col(Shipment.shipped_at) < end)
    )
    return [ShipmentFacts(*row) for row in session.exec(statement).all()]


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
