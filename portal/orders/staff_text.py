"""The staff timeline in words, in the active locale: who acted, what happened, what changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.i18n import formatting, gettext, ngettext
from portal.i18n.labels import N_, STATUS_LABELS, status_label
from portal.orders.staff_log import Actor
from portal.store.models import StaffEntry

PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "bigcommerce": "BigCommerce"}
# Where an order came from (orders.source), as the console names it.
SOURCE_NAMES = {**PLATFORM_NAMES, "api": "API", "csv": N_("CSV import")}


def source_text(source: str) -> str:
    return gettext(SOURCE_NAMES[source]) if source in SOURCE_NAMES else source

# Order fields staff read about in the timeline, by their column.
FIELD_LABELS = {
    "status": N_("Order status"), "cancel_reason": N_("Cancel reason"), "payment_status": N_("Payment"),
    "fulfillment_status": N_("Fulfilment"), "return_status": N_("Return"),
    "return_request": N_("Return request"), "custom_status": N_("Custom status"),
    "tags": N_("Tags"), "note": N_("Order note"), "email": N_("E-mail"), "phone": N_("Phone"),
    "shipping_address": N_("Shipping address"), "line_items": N_("Items"), "total": N_("Total"),
    "subtotal": N_("Subtotal"), "shipping": N_("Shipping"), "tax": N_("Tax"), "discounts": N_("Discounts"),
    "number": N_("Order number"), "placed_at": N_("Placed"), "locale": N_("Language"),
    "postal_code": N_("Postal code"), "currency": N_("Currency"), "email_opt_out_at": N_("E-mails stopped"),
    "cancelled_at": N_("Cancelled"), "customer_id": N_("Customer ID"), "guest_id": N_("Guest ID"),
    "external_id": N_("Platform ID"), "source": N_("Source"), "taxes_included": N_("Prices include tax"),
    "order_status_url": N_("Order page on the platform"), "presentment_currency": N_("Currency paid in"),
    "presentment_subtotal": N_("Subtotal paid"), "presentment_shipping": N_("Shipping paid"),
    "presentment_tax": N_("Tax paid"), "presentment_discounts": N_("Discounts paid"),
    "presentment_total": N_("Total paid"),
}
# A parcel's status, in a shipment entry.
PARCEL_STATUS = N_("Status")
_MONEY = {"total", "subtotal", "shipping", "tax", "discounts"}
_PAID = {f"presentment_{name}" for name in _MONEY}
_MOMENTS = {"placed_at", "cancelled_at", "email_opt_out_at"}
# Why an order was cancelled, as staff say it (the shopper's page addresses the shopper: "at your request").
STAFF_CANCEL_REASONS = {
    "customer": N_("the customer asked"), "declined": N_("payment declined"), "fraud": N_("suspected fraud"),
    "inventory": N_("out of stock"), "staff": N_("cancelled by staff"), "other": N_("other reason"),
}


@dataclass
class StaffLine:
    """One entry of the staff timeline as the console shows it."""

    at: datetime
    actor: str
    title: str
    details: list[str] = field(default_factory=list)
    note: str | None = None
    kind: str = ""


def actor_text(actor: Actor) -> str:
    """"Shopify webhook", "API key Warehouse", "console: ana@shop.example", ..."""
    name = actor.name
    if actor.kind == "webhook":
        return gettext("%(platform)s webhook") % {"platform": PLATFORM_NAMES.get(name, name)}
    if actor.kind == "api":
        return gettext("API key %(name)s") % {"name": name} if name else gettext("API key")
    if actor.kind == "carrier":
        return gettext("carrier feed (API key %(name)s)") % {"name": name} if name else gettext("carrier feed")
    if actor.kind == "console":
        return gettext("console: %(email)s") % {"email": name}
    if actor.kind == "csv":
        return gettext("CSV import")
    if actor.kind == "cli":
        return gettext("command line")
    if actor.kind == "shopper":
        return gettext("the shopper")
    return gettext("the portal")


def value_text(name: str, value: Any, currency: str, custom_label: Callable[[str], str],
               paid_in: str | None = None) -> str:
    """A changed value as staff read it: status labels, money (`paid_in`: the currency the
    shopper paid in), dates, yes or no, lists."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "source" and isinstance(value, str):
        return source_text(value)
    if name == "cancel_reason" and value in STAFF_CANCEL_REASONS:
        return gettext(STAFF_CANCEL_REASONS[value])
    if name in STATUS_LABELS and isinstance(value, str):
        return status_label(name, value) or value
    if name == "custom_status" and isinstance(value, str):
        return custom_label(value) or value
    if name in _MONEY and isinstance(value, int):
        return formatting.money(value, currency)
    if name in _PAID and isinstance(value, int):
        return formatting.money(value, paid_in or currency)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if name in _MOMENTS and isinstance(value, str):
        try:
            return formatting.datetime_(datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    if name == "line_items" and isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return "; ".join(_item_text(item, currency) for item in value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(str(item) for item in value.values() if item)
    return str(value)


def _item_text(item: Mapping[str, Any], currency: str) -> str:
    """Says, for example, "2 × Trail mug (Blue) at $24.50 each, $3.00 off"."""
    title = f"{item.get('title')} ({item['variant']})" if item.get("variant") else str(item.get("title"))
    values = {"quantity": item.get("quantity") or 0, "title": title,
              "price": formatting.money(item.get("unit_price") or 0, currency)}
    if item.get("discount"):
        values["discount"] = formatting.money(item["discount"], currency)
        return gettext("%(quantity)d × %(title)s at %(price)s each, %(discount)s off") % values
    return gettext("%(quantity)d × %(title)s at %(price)s each") % values


def change_lines(changes: Mapping[str, Any], currency: str, custom_label: Callable[[str], str],
                 paid_in: str | None = None) -> list[str]:
    """"Payment: Payment pending → Paid" for each [before, after] pair."""
    lines = []
    for name, pair in changes.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            continue
        label = gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name
        before, after = (value_text(name, value, currency, custom_label, paid_in) for value in pair)
        lines.append(gettext("%(field)s: %(before)s → %(after)s") % {"field": label, "before": before, "after": after})
    return lines


def _shipment(entry: StaffEntry) -> tuple[str, list[str]]:
    changes = entry.changes
    values = {"number": changes.get("tracking_number") or "—", "carrier": changes.get("carrier") or "—"}
    if entry.kind == "shipment_removed":
        return gettext("Shipment %(number)s (%(carrier)s) removed") % values, []
    title = (gettext("Shipment %(number)s (%(carrier)s) added") if changes.get("added")
             else gettext("Shipment %(number)s (%(carrier)s) updated")) % values
    details = []
    status = changes.get("status")
    if isinstance(status, list) and len(status) == 2:
        before, after = (status_label("shipment", value) or "—" for value in status)
        details.append(gettext("%(field)s: %(before)s → %(after)s") % {
            "field": gettext(PARCEL_STATUS), "before": before, "after": after})
    events = changes.get("events")
    if isinstance(events, int) and events:
        details.append(ngettext("%(num)d new tracking event", "%(num)d new tracking events", events) % {"num": events})
    return title, details


def describe(entry: StaffEntry, currency: str, custom_label: Callable[[str], str],
             paid_in: str | None = None) -> StaffLine:
    """The console's words for one staff entry."""
    actor = actor_text(Actor(entry.actor_kind, entry.actor_name))
    line = StaffLine(entry.at, actor, entry.kind, kind=entry.kind)
    if entry.kind in ("shipment", "shipment_removed"):
        line.title, line.details = _shipment(entry)
        return line
    titles = {
        "created": gettext("Order created"), "updated": gettext("Order changed"),
        "note": gettext("Note"), "link_revoked": gettext("Tracking links revoked"),
        "tags_cut": gettext("Tags longer than 40 characters were cut"),
    }
    if entry.kind == "email_queued":
        line.title = gettext("Tracking e-mail queued to %(email)s") % {"email": entry.changes.get("to", "")}
    else:
        line.title = titles.get(entry.kind, entry.kind)
    if entry.kind == "tags_cut":
        line.details = [str(tag) for tag in entry.changes.get("tags", [])]
    else:
        line.details = change_lines(entry.changes, currency, custom_label, paid_in)
    line.note = entry.note
    return line
