"""Shopify webhooks: order, fulfilment, refund and return topics onto our order model.

Amounts come from the `*_set` objects: `shop_money` in the shop's currency, `presentment_money`
in the currency the shopper paid. Ids stay exact strings (they exceed 2**53).
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from sqlmodel import Session

from portal import money
from portal.i18n.labels import N_
from portal.i18n.messages import Message
from portal.ingest import platform_orders
from portal.ingest.platforms import payloads
from portal.ingest.platform_orders import Outcome, PlatformOrder, Rejected
from portal.ingest.platforms.payloads import StatusMapper
from portal.orders import return_platform, staff_log
from portal.orders.upsert import change_statuses
from portal.orders.shipments import remove_shipments
from portal.statuses import (
    SHOPIFY_CANCEL_REASON,
    SHOPIFY_FINANCIAL_STATUS,
    SHOPIFY_FULFILLMENT_STATUS,
    SHOPIFY_RETURN_STATUS,
    SHOPIFY_RETURN_TOPIC,
    SHOPIFY_SHIPMENT_STATUS,
    status_key,
)
from portal.store.models import Merchant

PLATFORM = "shopify"
ORDER_TOPICS = frozenset({
    "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
    "orders/partially_fulfilled",
})
FULFILLMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
# Our total -> Shopify's field (its `_set` twin carries both currencies).
TOTAL_FIELDS = {
    "subtotal": "subtotal_price",
    "shipping": "total_shipping_price",
    "tax": "total_tax",
    "discounts": "total_discounts",
    "total": "total_price",
}


def plan(merchant: Merchant, topic: str, payload: Any) -> platform_orders.Handler:
    """What the delivery does (platform_orders.Plan): an order's payload is translated here, before the
    delivery waits for the database."""
    if not isinstance(payload, dict):
        raise Rejected(Message(platform_orders.EXPECTED_OBJECT))
    if topic in ORDER_TOPICS:
        return platform_orders.OrderChange(merchant, PLATFORM, map_order(payload))
    if topic in FULFILLMENT_TOPICS:
        return partial(_fulfillment, merchant=merchant, payload=payload)
    if topic == "refunds/create":
        return partial(_refund, merchant=merchant, payload=payload)
    if topic.startswith("returns/"):
        return partial(_return, merchant=merchant, topic=topic, payload=payload)
    return platform_orders.answer("ignored", platform_orders.unused_topic(topic))


def _amounts(payload: dict[str, Any], name: str, currency: str, presentment: str,
             where: str = "") -> tuple[str, str]:
    """(shop money, presentment money) of `name`, from its `name_set` twin when there is one.
    `where`: the path of `payload` in the delivery (`line_items.0.`), to name a refused amount."""
    money_set = payloads.obj(payload, f"{name}_set")
    shop_money = payloads.obj(money_set, "shop_money")
    paid_money = payloads.obj(money_set, "presentment_money")
    shop = payloads.amount(shop_money.get("amount", payload.get(name)), currency, f"{where}{name}")
    if "amount" in paid_money:
        return shop, payloads.amount(paid_money["amount"], presentment,
                                   f"{where}{name}_set.presentment_money.amount")
    if presentment != currency:
        raise Rejected(Message(N_("%(field)s is missing and the order was paid in %(currency)s"),
                               {"field": f"{name}_set.presentment_money", "currency": presentment}))
    return shop, shop


def _currency(value: Any, field_name: str) -> str:
    try:
        return money.validate_currency(str(value or ""))
    except money.MoneyError as exc:
        raise Rejected(platform_orders.field_problem(field_name, exc)) from None


def _parcels(fulfillment: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(our shipment's external id, tracking number, tracking URL) for each number of a fulfilment."""
    fid = payloads.platform_id(fulfillment.get("id")) or ""
    numbers = [n for n in payloads.array(fulfillment, "tracking_numbers") if n] or [fulfillment.get("tracking_number")]
    urls = [u for u in payloads.array(fulfillment, "tracking_urls") if u] or [fulfillment.get("tracking_url")]
    return [(fid if index == 0 else f"{fid}:{index}"[:64], number, urls[index] if index < len(urls) else None)
            for index, number in enumerate(numbers[:20])]


def _fulfillments(fulfillments: Any, cancelled: bool) -> list[dict[str, Any]]:
    return [f for f in (fulfillments if isinstance(fulfillments, list) else [])
            if isinstance(f, dict) and (status_key(f.get("status")) == "cancelled") == cancelled]


def cancelled_shipments(fulfillments: Any) -> list[str]:
    """External ids of the shipments of cancelled fulfilments: they no longer travel."""
    return [parcel[0] for f in _fulfillments(fulfillments, cancelled=True) for parcel in _parcels(f)]


def shipments(fulfillments: Any, statuses: StatusMapper) -> list[dict[str, Any]]:
    """One shipment per tracking number of each fulfilment that was not cancelled."""
    result: list[dict[str, Any]] = []
    for fulfillment in _fulfillments(fulfillments, cancelled=False):
        raw_status = fulfillment.get("shipment_status")
        status = (statuses.map("shipment_status", SHOPIFY_SHIPMENT_STATUS, raw_status, "shipment", "in_transit")
                  if raw_status else None)
        for external_id, number, url in _parcels(fulfillment):
            result.append({
                "external_id": external_id,
                "carrier": payloads.clip(fulfillment.get("tracking_company"), 64),
                "tracking_number": payloads.clip(number, 64),
                "tracking_url": payloads.http_url(url),
                "status": status,
                "shipped_at": payloads.timestamp(fulfillment.get("created_at"), "fulfillments.created_at"),
            })
    return result


def _line_discount(item: dict[str, Any], currency: str, presentment: str, where: str) -> tuple[str, str]:
    """The line's discount: the sum of its `discount_allocations`, else its `total_discount`."""
    allocations = [a for a in payloads.array(item, "discount_allocations") if isinstance(a, dict)]
    if not allocations:
        return _amounts(item, "total_discount", currency, presentment, where)
    shop, paid = Decimal(0), Decimal(0)
    for index, allocation in enumerate(allocations):
        one, other = _amounts(allocation, "amount", currency, presentment, f"{where}discount_allocations.{index}.")
        shop, paid = shop + money.parse_amount(one), paid + money.parse_amount(other)
    return (payloads.amount(shop, currency, f"{where}discount_allocations"),
            payloads.amount(paid, presentment, f"{where}discount_allocations"))


def _line_items(payload: dict[str, Any], currency: str, presentment: str) -> list[dict[str, Any]]:
    items = []
    for index, item in enumerate(payloads.array(payload, "line_items")[:500]):
        if not isinstance(item, dict):
            continue
        price, paid = _amounts(item, "price", currency, presentment, f"line_items.{index}.")
        discount, paid_discount = _line_discount(item, currency, presentment, f"line_items.{index}.")
        items.append({
            "title": payloads.clip(item.get("title") or item.get("name"), 500) or "—",
            "variant": payloads.clip(item.get("variant_title"), 255),
            "sku": payloads.clip(item.get("sku"), 128),
            "quantity": payloads.quantity(item.get("quantity")),
            "unit_price": price,
            "presentment_unit_price": paid,
            "discount": discount,
            "presentment_discount": paid_discount,
            "product_id": payloads.platform_id(item.get("product_id")),
            "variant_id": payloads.platform_id(item.get("variant_id")),
        })
    return items


def map_order(payload: dict[str, Any]) -> PlatformOrder:
    external_id = payloads.platform_id(payload.get("id"))
    if not external_id:
        raise Rejected(Message(platform_orders.NO_ID))
    currency = _currency(payload.get("currency"), "currency")
    presentment = _currency(payload.get("presentment_currency") or currency, "presentment_currency")
    statuses = StatusMapper(PLATFORM)
    totals: dict[str, str] = {}
    presentment_totals: dict[str, str] = {}
    for ours, theirs in TOTAL_FIELDS.items():
        if payloads.absent(payload, theirs) and not payloads.obj(payload, f"{theirs}_set"):
            continue  # not sent: the order service works it out from the rest (portal.orders.amounts)
        totals[ours], presentment_totals[ours] = _amounts(payload, theirs, currency, presentment)

    cancelled = bool(payload.get("cancelled_at"))
    customer = payloads.obj(payload, "customer")
    shipping = payloads.obj(payload, "shipping_address")
    billing = payloads.obj(payload, "billing_address")
    data: dict[str, Any] = {
        "number": payloads.clip(payload.get("name"), 64) or f"#{payload.get('order_number') or external_id}",
        "external_id": external_id,
        "email": payloads.email(payload.get("email"), payload.get("contact_email"), customer.get("email")),
        "phone": payloads.clip(payload.get("phone") or shipping.get("phone") or customer.get("phone"), 64),
        "postal_code": payloads.clip(shipping.get("zip") or billing.get("zip"), 32),
        "placed_at": payloads.first_time(payload, "processed_at", "created_at"),
        "locale": payloads.locale(payload.get("customer_locale")),
        "status": "cancelled" if cancelled else ("archived" if payload.get("closed_at") else "open"),
        "cancel_reason": statuses.map("cancel_reason", SHOPIFY_CANCEL_REASON, payload.get("cancel_reason") or "other",
                                      "cancel_reason", "other") if cancelled else None,
        "payment_status": statuses.map("financial_status", SHOPIFY_FINANCIAL_STATUS,
                                       payload.get("financial_status"), "payment_status", "pending"),
        "fulfillment_status": statuses.map("fulfillment_status", SHOPIFY_FULFILLMENT_STATUS,
                                           payload.get("fulfillment_status") or "", "fulfillment_status",
                                           "unfulfilled"),
        "currency": currency,
        "presentment_currency": presentment,
        "totals": totals,
        "presentment_totals": presentment_totals,
        "taxes_included": payload.get("taxes_included") is True,
        "line_items": _line_items(payload, currency, presentment),
        "shipments": shipments(payload.get("fulfillments"), statuses),
        "shipping_address": payloads.address(shipping, "address1", "address2", "province", "zip", "country_code"),
        "tags": payloads.tags(payload.get("tags")),
        "note": payloads.clip(payload.get("note"), 5000),
        # A guest has no customer record; the confirmation number is what Shopify shows them.
        "customer_id": payloads.customer_id(customer.get("id")),
        "guest_id": None if customer.get("id") else payloads.clip(payload.get("confirmation_number"), 64),
        "order_status_url": payloads.http_url(payload.get("order_status_url")),
    }
    returns = [r for r in payloads.array(payload, "returns") if isinstance(r, dict)]
    if returns:
        data["return_status"] = statuses.map("return_status", SHOPIFY_RETURN_STATUS, returns[-1].get("status"),
                                             "return_status", "in_progress")
    elif "returns" in payload:
        data["return_status"] = "none"
    return PlatformOrder(data=data, raw_statuses=statuses.raw,
                         updated_at=payloads.timestamp(payload.get("updated_at"), "updated_at", ahead=True),
                         removed_shipments=cancelled_shipments(payload.get("fulfillments")),
                         cut_tags=payloads.long_tags(payload.get("tags")))


def _fulfillment(session: Session, merchant: Merchant, payload: dict[str, Any]) -> Outcome:
    order_id = payloads.platform_id(payload.get("order_id"))
    order = platform_orders.find_order(session, merchant, PLATFORM, order_id)
    if order is None:
        return platform_orders.not_received_yet(order_id)
    cancelled = cancelled_shipments([payload])
    if cancelled:
        removed = remove_shipments(session, order, cancelled, actor=staff_log.webhook(PLATFORM))
        return Outcome("stored", Message(N_("fulfilment cancelled: %(count)d shipment(s) removed"), {"count": removed}),
                       order.number)
    statuses = StatusMapper(PLATFORM)
    return platform_orders.apply_shipments(session, merchant, order, shipments([payload], statuses), statuses.raw)


def _refund(session: Session, merchant: Merchant, payload: dict[str, Any]) -> Outcome:
    order_id = payloads.platform_id(payload.get("order_id"))
    order = platform_orders.find_order(session, merchant, PLATFORM, order_id)
    if order is None:
        return platform_orders.not_received_yet(order_id)
    refunded = {order.currency: Decimal(0), order.presentment_currency: Decimal(0)}
    for transaction in payloads.array(payload, "transactions"):
        if not isinstance(transaction, dict) or status_key(transaction.get("kind")) != "refund":
            continue
        if status_key(transaction.get("status") or "success") != "success":
            continue
        code = str(transaction.get("currency") or order.presentment_currency).upper()
        if code in refunded:
            amount = payloads.amount(transaction.get("amount"), code, "transactions.amount")
            refunded[code] += money.parse_amount(amount)
    whole = any(refunded[code] >= money.to_decimal(total, code) > 0 for code, total in
                ((order.currency, order.total), (order.presentment_currency, order.presentment_total)))
    status = "refunded" if whole or order.payment_status == "refunded" else "partially_refunded"
    change_statuses(session, order, {"payment_status": status},
                    payloads.timestamp(payload.get("created_at"), "created_at"), staff_log.webhook(PLATFORM))
    return Outcome("stored", Message(N_("payment %(payment_status)s"), {"payment_status": status}), order.number)


def _return(session: Session, merchant: Merchant, topic: str, payload: dict[str, Any]) -> Outcome:
    reference = payloads.obj(payload, "order")
    order_id = payloads.platform_id(reference.get("id") or payload.get("order_id"))
    order = platform_orders.find_order(session, merchant, PLATFORM, order_id)
    if order is None:
        return platform_orders.not_received_yet(order_id)
    statuses = StatusMapper(PLATFORM)
    status = statuses.lookup(SHOPIFY_RETURN_STATUS, payload.get("status")) or SHOPIFY_RETURN_TOPIC.get(topic)
    if status is None:
        status = statuses.map("return_status", SHOPIFY_RETURN_STATUS, payload.get("status") or topic,
                              "return_status", "in_progress")
    # The shopper's own request for this return, when there is one, moves with it (and the order with that).
    decline = payloads.obj(payload, "decline")
    moved = return_platform.apply(session, merchant, order, PLATFORM, payloads.platform_id(payload.get("id")), status,
                                  payloads.clip(decline.get("note") or decline.get("reason"), 1000))
    if moved is not None:
        return Outcome("stored", moved, order.number)
    change_statuses(session, order, {"return_status": status},
                    payloads.timestamp(payload.get("updated_at"), "updated_at"), staff_log.webhook(PLATFORM))
    if statuses.raw:
        order.raw_statuses = {**order.raw_statuses, **statuses.raw}
        session.add(order)
    return Outcome("stored", Message(N_("return %(return_status)s"), {"return_status": status}), order.number)
