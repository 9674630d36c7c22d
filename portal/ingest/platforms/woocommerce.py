"""WooCommerce REST v3 order objects (as its webhooks send them) onto our order model.

Money comes as strings in the order's one currency. Tracking numbers come from the Shipment
Tracking extension, which keeps them in the order's `meta_data` under `_wc_shipment_tracking_items`.
Shops add statuses with plugins ("shipped", "awaiting-pickup"…): those are kept raw and mapped
to the closest canonical status.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from portal import money
from portal.i18n.labels import N_
from portal.i18n.messages import Message
from portal.ingest import platform_orders
from portal.ingest.platforms import payloads
from portal.ingest.platform_orders import PlatformOrder, Rejected
from portal.ingest.platforms.payloads import StatusMapper
from portal.statuses import WOOCOMMERCE_STATUS, closest
from portal.store.models import Merchant

PLATFORM = "woocommerce"
TRACKING_META_KEY = "_wc_shipment_tracking_items"
# The first delivery of a new webhook is this form-encoded body, unsigned.
PING_RE = re.compile(rb"^webhook_id=(\d{1,20})$")


def plan(merchant: Merchant, topic: str, payload: Any) -> platform_orders.Handler:
    """What the delivery does (platform_orders.Plan): the order is translated here, before the delivery
    waits for the database."""
    if not isinstance(payload, dict):
        raise Rejected(Message(platform_orders.EXPECTED_OBJECT))
    if topic and not topic.startswith("order."):
        return platform_orders.answer("ignored", platform_orders.unused_topic(topic))
    if topic == "order.deleted":
        return platform_orders.answer("ignored", Message(
            N_("order deleted in WooCommerce: the tracking page stays as it was")))
    return platform_orders.OrderChange(merchant, PLATFORM, map_order(payload))


def _meta(items: Any) -> dict[str, Any]:
    return {str(m.get("key")): m.get("value") for m in (items if isinstance(items, list) else []) if isinstance(m, dict)}


def _variant(item: dict[str, Any]) -> str | None:
    parts = []
    for meta in payloads.array(item, "meta_data"):
        if not isinstance(meta, dict) or str(meta.get("key", "")).startswith("_"):
            continue
        label = meta.get("display_key") or meta.get("key")
        value = meta.get("display_value") or meta.get("value")
        if isinstance(value, (str, int, Decimal)):
            parts.append(f"{label}: {value}")
    return payloads.clip(", ".join(parts), 255)


def _money(payload: dict[str, Any], currency: str, *names: str, where: str = "") -> Decimal:
    """The sum of the named amounts of `payload` (a price and its tax)."""
    return sum((money.parse_amount(payloads.amount(payload.get(name), currency, where + name)) for name in names),
               Decimal(0))


def _line_items(items: Any, currency: str, inclusive: bool) -> tuple[list[dict[str, Any]], Decimal]:
    """Line prices before the line's discount; with tax when the shop's prices include it (WooCommerce
    keeps a line's subtotal and total without tax, the tax beside them)."""
    result, subtotal = [], Decimal(0)
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        where = f"line_items.{index}."
        quantity = payloads.quantity(item.get("quantity"))
        line = _money(item, currency, "subtotal", *("subtotal_tax",)[:inclusive], where=where)
        paid = (_money(item, currency, "total", *("total_tax",)[:inclusive], where=where)
                if item.get("total") not in (None, "") else line)
        subtotal += line
        unit = line / quantity if quantity else money.parse_amount(payloads.amount(item.get("price"), currency,
                                                                                 where + "price"))
        image = payloads.obj(item, "image")
        result.append({
            "title": payloads.clip(item.get("name"), 500) or "—",
            "variant": _variant(item),
            "sku": payloads.clip(item.get("sku"), 128),
            "quantity": quantity,
            "unit_price": payloads.amount(unit, currency, where + "subtotal"),
            "discount": payloads.amount(max(line - paid, Decimal(0)), currency, where + "total"),
            "image_url": payloads.http_url(image.get("src")),
            "product_id": payloads.customer_id(item.get("product_id")),
            # WooCommerce sends 0 for a product without variations.
            "variant_id": payloads.customer_id(item.get("variation_id")),
        })
    return result[:500], subtotal


def shipments(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Shipment Tracking items: provider (or custom provider + link), number, date shipped."""
    result = []
    for item in payloads.array(meta, TRACKING_META_KEY):
        if not isinstance(item, dict) or not item.get("tracking_number"):
            continue
        result.append({
            "external_id": payloads.clip(item.get("tracking_id"), 64),
            "carrier": payloads.clip(item.get("custom_tracking_provider") or item.get("tracking_provider"), 64),
            "tracking_number": payloads.clip(item.get("tracking_number"), 64),
            "tracking_url": payloads.http_url(item.get("custom_tracking_link") or item.get("tracking_link")),
            "shipped_at": payloads.timestamp(item.get("date_shipped"), f"meta_data.{TRACKING_META_KEY}.date_shipped"),
        })
    return result[:100]


def _statuses(payload: dict[str, Any], statuses: StatusMapper) -> tuple[str, str, str, str | None]:
    raw = str(payload.get("status") or "").strip().lower().removeprefix("wc-")
    entry = WOOCOMMERCE_STATUS.get(raw)
    if entry is None:
        # A plugin's status: an order that exists and is under way unless its name says otherwise.
        status = closest("status", raw) or "open"
        statuses.unknown("status", payload.get("status"), status)
        entry = (status, closest("payment_status", raw) or "paid",
                 closest("fulfillment_status", raw) or "unfulfilled", "other" if status == "cancelled" else None)
    status, payment, fulfilment, reason = entry
    if payment == "paid" and any(isinstance(r, dict) for r in payloads.array(payload, "refunds")):
        payment = "partially_refunded"
    return status, payment, fulfilment, reason


def map_order(payload: dict[str, Any]) -> PlatformOrder:
    external_id = payloads.platform_id(payload.get("id"))
    if not external_id:
        raise Rejected(Message(platform_orders.NO_ID))
    try:
        currency = money.validate_currency(str(payload.get("currency") or ""))
    except money.MoneyError as exc:
        raise Rejected(platform_orders.field_problem("currency", exc)) from None
    statuses = StatusMapper(PLATFORM)
    status, payment, fulfilment, reason = _statuses(payload, statuses)
    inclusive = payload.get("prices_include_tax") is True
    items, subtotal = _line_items(payload.get("line_items"), currency, inclusive)
    billing = payloads.obj(payload, "billing")
    shipping = payloads.obj(payload, "shipping")
    if not any(shipping.get(k) for k in ("address_1", "city", "postcode")):
        shipping = billing
    data: dict[str, Any] = {
        "number": payloads.clip(payload.get("number"), 64) or external_id,
        "external_id": external_id,
        "email": payloads.email(billing.get("email")),
        "phone": payloads.clip(shipping.get("phone") or billing.get("phone"), 64),
        "postal_code": payloads.clip(shipping.get("postcode"), 32),
        "placed_at": payloads.first_time(payload, "date_created_gmt", "date_created"),
        "status": status,
        "cancel_reason": reason if status == "cancelled" else None,
        "payment_status": payment,
        "fulfillment_status": fulfilment,
        "currency": currency,
        "totals": {
            "subtotal": payloads.amount(subtotal, currency, "line_items.subtotal"),
            "shipping": payloads.amount(_money(payload, currency, "shipping_total", *("shipping_tax",)[:inclusive]),
                                        currency, "shipping_total"),
            "tax": payloads.amount(payload.get("total_tax"), currency, "total_tax"),
            "discounts": payloads.amount(_money(payload, currency, "discount_total", *("discount_tax",)[:inclusive]),
                                         currency, "discount_total"),
            # Not sent: the order service works it out from the rest (portal.orders.amounts).
            **({} if payloads.absent(payload, "total") else
               {"total": payloads.amount(payload.get("total"), currency, "total")}),
        },
        "taxes_included": inclusive,
        "line_items": items,
        "shipments": shipments(_meta(payload.get("meta_data"))),
        "shipping_address": payloads.address(shipping, "address_1", "address_2", "state", "postcode", "country"),
        "note": payloads.clip(payload.get("customer_note"), 5000),
        "customer_id": payloads.customer_id(payload.get("customer_id")),
    }
    return PlatformOrder(data=data, raw_statuses=statuses.raw,
                         updated_at=payloads.first_time(payload, "date_modified_gmt", "date_modified", ahead=True))
