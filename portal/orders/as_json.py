"""An order as the API's JSON."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from portal import money
from portal.orders.upsert import ORDER_TOTAL_FIELDS
from portal.store import queries
from portal.store.models import Order


def order_json(session: Session, order: Order, tracking_link: str | None = None) -> dict[str, Any]:
    shipments = queries.shipments(session, order.id)
    events = queries.events_for(session, [s.id for s in shipments])
    pc = order.presentment_currency

    def totals(prefix: str, currency: str) -> dict[str, str]:
        return {n: money.to_string(getattr(order, prefix + n), currency) for n in ORDER_TOTAL_FIELDS}

    return {
        "number": order.number,
        "external_id": order.external_id,
        "source": order.source,
        "email": order.email,
        "phone": order.phone,
        "postal_code": order.postal_code,
        "placed_at": order.placed_at.isoformat(),
        "locale": order.locale,
        "status": order.status,
        "cancel_reason": order.cancel_reason,
        "payment_status": order.payment_status,
        "fulfillment_status": order.fulfillment_status,
        "return_status": order.return_status,
        "custom_status": order.custom_status,
        "currency": order.currency,
        "presentment_currency": pc,
        "totals": totals("", order.currency),
        "taxes_included": order.taxes_included,
        "presentment_totals": totals("presentment_", pc),
        "line_items": [
            {
                "title": i.title, "variant": i.variant, "sku": i.sku, "quantity": i.quantity,
                "unit_price": money.to_string(i.unit_price, order.currency),
                "presentment_unit_price": money.to_string(i.presentment_unit_price, pc),
                "discount": money.to_string(i.discount, order.currency),
                "presentment_discount": money.to_string(i.presentment_discount, pc),
                "image_url": i.image_url, "product_url": i.product_url,
                "product_id": i.product_id, "variant_id": i.variant_id,
            }
            for i in queries.line_items(session, order.id)
        ],
        "shipments": [
            {
                "id": s.id, "external_id": s.external_id, "carrier": s.carrier, "carrier_name": s.carrier_name,
                "tracking_number": s.tracking_number, "tracking_url": s.tracking_url, "status": s.status,
                "shipped_at": s.shipped_at.isoformat() if s.shipped_at else None,
                "estimated_delivery": s.estimated_delivery.isoformat() if s.estimated_delivery else None,
                "estimated_delivery_end": s.estimated_delivery_end.isoformat() if s.estimated_delivery_end else None,
                "events": [
                    {"at": e.at.isoformat(), "status": e.status, "substatus": e.substatus,
                     "message": e.message, "location": e.location}
                    for e in events if e.shipment_id == s.id
                ],
            }
            for s in shipments
        ],
        "shipping_address": order.shipping_address or None,
        "tags": order.tags,
        "note": order.note,
        "customer_id": order.customer_id,
        "guest_id": order.guest_id,
        "order_status_url": order.order_status_url,
        "tracking_link": tracking_link,
        "version": order.version,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
    }
