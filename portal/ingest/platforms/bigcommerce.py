"""BigCommerce v2 order and shipment objects onto our order model.

BigCommerce's own webhooks carry only ids, so a merchant's integration posts the full v2 order
(with `shipments`, and optionally `products` and `shipping_addresses`, inlined instead of links).
Order amounts are in the transactional currency (`currency_code`, what the shopper paid); the
store's currency (`store_default_currency_code`, else `default_currency_code`) amounts are derived
with the order's own exchange rate. Money arrives as 4-decimal strings, dates as RFC 2822.
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
from portal.statuses import BIGCOMMERCE_STATUS, closest
from portal.store.models import Merchant

PLATFORM = "bigcommerce"


def plan(merchant: Merchant, topic: str, payload: Any) -> platform_orders.Handler:
    """An order object, one shipment object, or a list of shipments (GET …/shipments); an order
    is translated here, before the delivery waits for the database (platform_orders.Plan)."""
    if isinstance(payload, dict) and "status_id" in payload and not _notification(payload):
        return platform_orders.OrderChange(merchant, PLATFORM, map_order(payload), topic="order")
    return partial(_not_an_order, merchant=merchant, payload=payload)


def _notification(payload: dict[str, Any]) -> bool:
    return "scope" in payload and isinstance(payload.get("data"), dict)


def _not_an_order(session: Session, merchant: Merchant, payload: Any) -> Outcome:
    if isinstance(payload, list):
        outcome = _shipments(session, merchant, [s for s in payload if isinstance(s, dict)])
    elif not isinstance(payload, dict):
        raise Rejected(Message(N_("expected a JSON object or a list of shipments")))
    elif _notification(payload):
        outcome = Outcome("ignored", Message(N_("BigCommerce's own webhooks carry only ids: post the full v2 "
                                                "order object instead (see %(page)s)"), {"page": "docs/platforms.md"}))
        outcome.topic = str(payload.get("scope"))
    elif "order_id" in payload and "tracking_number" in payload:
        outcome = _shipments(session, merchant, [payload])
    else:
        raise Rejected(Message(N_("not a BigCommerce v2 order (no status_id) or shipment (no order_id, "
                                  "tracking_number)")))
    outcome.topic = outcome.topic or "shipment"
    return outcome


def _currency(value: Any) -> str | None:
    try:
        return money.validate_currency(str(value)) if value else None
    except money.MoneyError:
        return None


# Exchange rates outside these bounds are no currency pair's: dividing by one would overflow.
_RATES = (Decimal("1e-9"), Decimal("1e9"))


def _rate(payload: dict[str, Any]) -> Decimal | None:
    for name in ("store_default_to_transactional_exchange_rate", "currency_exchange_rate"):
        try:
            rate = money.parse_amount(payload.get(name) or "")
        except money.MoneyError:
            continue
        if _RATES[0] < rate < _RATES[1]:
            return rate
    return None


class _Converter:
    """Transactional amounts as given, store amounts divided by the order's exchange rate."""

    def __init__(self, payload: dict[str, Any]) -> None:
        paid = _currency(payload.get("currency_code"))
        if paid is None:
            raise Rejected(Message(N_("%(field)s: %(value)s is not an ISO 4217 currency code"),
                                   {"field": "currency_code", "value": repr(payload.get("currency_code"))}))
        store = _currency(payload.get("store_default_currency_code")) or _currency(
            payload.get("default_currency_code")) or paid
        self.rate = _rate(payload)
        if store != paid and self.rate is None:
            store = paid  # no rate to convert with: show what was paid rather than invent a figure
        self.paid, self.store = paid, store

    def pair(self, value: Any, field_name: str) -> tuple[str, str]:
        paid = payloads.amount(value, self.paid, field_name)
        if self.store == self.paid or self.rate is None:
            return paid, paid
        return payloads.amount(money.parse_amount(paid) / self.rate, self.store, field_name), paid


def _line_items(products: Any, convert: _Converter, inclusive: bool) -> list[dict[str, Any]]:
    items = []
    for index, product in enumerate(products if isinstance(products, list) else []):
        if not isinstance(product, dict):
            continue
        options = [f"{o.get('display_name')}: {o.get('display_value')}" for o in payloads.array(product, "product_options")
                   if isinstance(o, dict) and o.get("display_name")]
        price, paid = convert.pair(product.get("price_inc_tax" if inclusive else "price_ex_tax")
                                   or product.get("base_price"), f"products.{index}.price")
        discounts = [d.get("amount") for d in payloads.array(product, "applied_discounts") if isinstance(d, dict)]
        discount = sum((money.parse_amount(payloads.amount(value, convert.paid, f"products.{index}.applied_discounts"))
                        for value in discounts), Decimal(0))
        discount, paid_discount = convert.pair(discount, f"products.{index}.applied_discounts")
        items.append({
            "title": payloads.clip(product.get("name"), 500) or "—",
            "variant": payloads.clip(", ".join(options), 255),
            "sku": payloads.clip(product.get("sku"), 128),
            "quantity": payloads.quantity(product.get("quantity")),
            "unit_price": price,
            "presentment_unit_price": paid,
            "discount": discount,
            "presentment_discount": paid_discount,
            "product_id": payloads.platform_id(product.get("product_id")),
            "variant_id": payloads.platform_id(product.get("variant_id")),
        })
    return items[:500]


def shipment(data: dict[str, Any]) -> dict[str, Any]:
    carrier = data.get("tracking_carrier") or data.get("shipping_provider") or data.get("shipping_provider_display_name")
    return {
        "external_id": payloads.platform_id(data.get("id")),
        "carrier": payloads.clip(carrier, 64),
        "tracking_number": payloads.clip(data.get("tracking_number"), 64),
        "tracking_url": payloads.http_url(data.get("tracking_link")) or payloads.http_url(data.get("generated_tracking_link")),
        "shipped_at": payloads.timestamp(data.get("date_created"), "shipments.date_created"),
    }


def _statuses(payload: dict[str, Any], statuses: StatusMapper) -> tuple[str, str, str, str | None]:
    raw = payload.get("status_id")
    try:
        entry = BIGCOMMERCE_STATUS.get(int(raw))
    except (TypeError, ValueError):
        entry = None
    if entry is None:
        # A status id we do not know (or a merchant's custom one): go by its name.
        name = payload.get("custom_status") or payload.get("status") or raw
        statuses.unknown("status_id", f"{raw} {name}".strip(), closest("status", name) or "open")
        status = closest("status", name) or "open"
        entry = (status, closest("payment_status", name) or "pending",
                 closest("fulfillment_status", name), "other" if status == "cancelled" else None)
    status, payment, fulfilment, reason = entry
    if fulfilment is None:
        shipped, total = payloads.quantity(payload.get("items_shipped")), payloads.quantity(payload.get("items_total"))
        fulfilment = "fulfilled" if total and shipped >= total else "partially_fulfilled" if shipped else "unfulfilled"
    return status, payment, fulfilment, reason


def map_order(payload: dict[str, Any]) -> PlatformOrder:
    external_id = payloads.platform_id(payload.get("id"))
    if not external_id:
        raise Rejected(Message(platform_orders.NO_ID))
    convert = _Converter(payload)
    inclusive = bool(payload.get("is_tax_inclusive_pricing"))
    suffix = "inc_tax" if inclusive else "ex_tax"
    shipping_cost = sum((money.parse_amount(payloads.amount(payload.get(f"{name}_cost_{suffix}"), convert.paid,
                                                          f"{name}_cost_{suffix}"))
                         for name in ("shipping", "handling", "wrapping")), Decimal(0))
    discount = sum((money.parse_amount(payloads.amount(payload.get(name), convert.paid, name))
                    for name in ("discount_amount", "coupon_discount")), Decimal(0))
    pairs = {
        "subtotal": convert.pair(payload.get(f"subtotal_{suffix}"), f"subtotal_{suffix}"),
        "shipping": convert.pair(shipping_cost, f"shipping_cost_{suffix}"),
        "tax": convert.pair(payload.get("total_tax"), "total_tax"),
        "discounts": convert.pair(discount, "discount_amount"),
        "total": convert.pair(payload.get("total_inc_tax"), "total_inc_tax"),
    }
    # Not sent: the order service works them out from the rest (portal.orders.amounts).
    for ours, theirs in (("subtotal", f"subtotal_{suffix}"), ("total", "total_inc_tax")):
        if payloads.absent(payload, theirs):
            del pairs[ours]
    statuses = StatusMapper(PLATFORM)
    status, payment, fulfilment, reason = _statuses(payload, statuses)
    billing = payloads.obj(payload, "billing_address")
    inlined = [a for a in payload.get("shipping_addresses") or [] if isinstance(a, dict)] \
        if isinstance(payload.get("shipping_addresses"), list) else []
    shipping = inlined[0] if inlined else billing
    data: dict[str, Any] = {
        "number": external_id,
        "external_id": external_id,
        "email": payloads.email(shipping.get("email"), billing.get("email")),
        "phone": payloads.clip(shipping.get("phone") or billing.get("phone"), 64),
        "postal_code": payloads.clip(shipping.get("zip"), 32),
        "placed_at": payloads.timestamp(payload.get("date_created"), "date_created"),
        "locale": payloads.locale(payload.get("customer_locale")),
        "status": status,
        "cancel_reason": reason if status == "cancelled" else None,
        "payment_status": payment,
        "fulfillment_status": fulfilment,
        "currency": convert.store,
        "presentment_currency": convert.paid,
        "totals": {name: pair[0] for name, pair in pairs.items()},
        "presentment_totals": {name: pair[1] for name, pair in pairs.items()},
        "taxes_included": inclusive,
        "line_items": _line_items(payload.get("products"), convert, inclusive),
        "shipments": [shipment(s) for s in payloads.array(payload, "shipments") if isinstance(s, dict)][:100],
        "shipping_address": payloads.address(shipping, "street_1", "street_2", "state", "zip", "country_iso2"),
        "note": payloads.clip(payload.get("staff_notes"), 5000),
        "customer_id": payloads.customer_id(payload.get("customer_id")),
    }
    return PlatformOrder(data=data, raw_statuses=statuses.raw,
                         updated_at=payloads.timestamp(payload.get("date_modified"), "date_modified", ahead=True))


def _shipments(session: Session, merchant: Merchant, items: list[dict[str, Any]]) -> Outcome:
    if not items:
        raise Rejected(Message(N_("no shipment objects in the body")))
    order_ids = {payloads.platform_id(item.get("order_id")) for item in items}
    if len(order_ids) != 1:
        raise Rejected(Message(N_("shipments of more than one order in one delivery")))
    (order_id,) = order_ids
    order = platform_orders.find_order(session, merchant, PLATFORM, order_id)
    if order is None:
        return platform_orders.not_received_yet(order_id)
    return platform_orders.apply_shipments(session, merchant, order, [shipment(item) for item in items], {})
