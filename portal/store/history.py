"""The orders of one shopper at one shop, by e-mail and by the customer ids those orders carry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, or_, select

from portal.store.models import Order, Shipment, TrackingEvent

# A shopper's list is short; this bounds a page that would otherwise have no end.
HISTORY_LIMIT = 200


def newest_order_of_email(session: Session, merchant_id: int, email_key: str) -> Order | None:
    return session.exec(
        select(Order).where(Order.merchant_id == merchant_id, Order.email_key == email_key)
        .order_by(col(Order.placed_at).desc(), col(Order.id).desc()).limit(1)
    ).first()


def orders_of_shopper(session: Session, merchant_id: int, email_key: str) -> Sequence[Order]:
    """Every order of the e-mail at the shop, and every order sharing a customer id with one of
    them (a guest who registered later), newest first."""
    customer_ids = (select(Order.customer_id)
                    .where(Order.merchant_id == merchant_id, Order.email_key == email_key,
                           col(Order.customer_id).is_not(None)))
    return session.exec(
        select(Order).where(Order.merchant_id == merchant_id,
                            or_(Order.email_key == email_key, col(Order.customer_id).in_(customer_ids)))
        .order_by(col(Order.placed_at).desc(), col(Order.id).desc()).limit(HISTORY_LIMIT)
    ).all()


def parcels_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[tuple[Shipment, list[TrackingEvent]]]]:
    """The parcels of each order with their tracking events (newest first), by order id."""
    found: dict[int, list[tuple[Shipment, list[TrackingEvent]]]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    shipments = session.exec(select(Shipment).where(col(Shipment.order_id).in_(list(order_ids)))
                             .order_by(col(Shipment.id))).all()
    events: dict[int, list[TrackingEvent]] = {shipment.id: [] for shipment in shipments if shipment.id is not None}
    if events:
        for event in session.exec(select(TrackingEvent).where(col(TrackingEvent.shipment_id).in_(list(events)))
                                  .order_by(col(TrackingEvent.at).desc(), col(TrackingEvent.id).desc())):
            events[event.shipment_id].append(event)
    for shipment in shipments:
        found[shipment.order_id].append((shipment, events.get(shipment.id or 0, [])))
    return found
