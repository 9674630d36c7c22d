"""The CSV import's columns: one table that the parser, the error messages and the docs all read.

A file has one row per line item (or one row per order when it has no items). Order columns are
repeated on every row of the order or given on its first row only; shipment columns describe the
parcel the row's item travels in. Column names are case-insensitive; spaces count as underscores.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n.labels import N_


@dataclass(frozen=True)
class Column:
    name: str
    # Where the value goes in portal.schemas.OrderIn: ("email",), ("totals", "total"), ...
    # Item and shipment columns give the path inside one line item / one shipment.
    path: tuple[str, ...]
    level: str  # "order", "item" or "shipment"
    meaning: str  # English (the docs' words); the console's import page shows it translated


COLUMNS: tuple[Column, ...] = (
    Column("number", ("number",), "order", N_("**required**: the order number shoppers know, e.g. `#1001`")),
    Column("external_id", ("external_id",), "order", N_("your platform's id; re-imports match on it first")),
    Column("email", ("email",), "order", N_("the shopper's e-mail (used for guest lookups)")),
    Column("phone", ("phone",), "order", N_("the shopper's phone")),
    Column("postal_code", ("postal_code",), "order", N_("defaults to `shipping_postal_code`")),
    Column("placed_at", ("placed_at",), "order",
           N_("ISO 8601, e.g. `2026-11-02T10:30:00Z` (UTC without an offset), years 1970 to 2100")),
    Column("locale", ("locale",), "order", N_("checkout language, e.g. `de`, `pt-BR`")),
    Column("status", ("status",), "order", N_("`open` (default), `archived`, `cancelled`")),
    Column("cancel_reason", ("cancel_reason",), "order",
           N_("with `cancelled`: `customer`, `declined`, `fraud`, `inventory`, `staff`, `other`")),
    Column("payment_status", ("payment_status",), "order",
           N_("`pending` (default), `authorized`, `partially_paid`, `paid`, `partially_refunded`, `refunded`, "
           "`voided`, `expired`")),
    Column("fulfillment_status", ("fulfillment_status",), "order",
           N_("`unfulfilled` (default), `scheduled`, `on_hold`, `in_progress`, `partially_fulfilled`, `fulfilled`")),
    Column("return_status", ("return_status",), "order",
           N_("`none` (default), `requested`, `in_progress`, `returned`, `declined`, `cancelled`")),
    Column("custom_status", ("custom_status",), "order", N_("the key of one of your custom statuses")),
    Column("currency", ("currency",), "order", N_("ISO 4217 code; defaults to the shop's currency")),
    Column("presentment_currency", ("presentment_currency",), "order",
           N_("what the shopper paid in; defaults to `currency`")),
    Column("subtotal", ("totals", "subtotal"), "order", N_("decimal amount with a point: `49.00`")),
    Column("shipping", ("totals", "shipping"), "order", N_("amount")),
    Column("tax", ("totals", "tax"), "order", N_("amount")),
    Column("discounts", ("totals", "discounts"), "order", N_("amount")),
    Column("total", ("totals", "total"), "order", N_("amount")),
    Column("presentment_subtotal", ("presentment_totals", "subtotal"), "order",
           N_("amounts in `presentment_currency`; required when it differs from `currency`")),
    Column("presentment_shipping", ("presentment_totals", "shipping"), "order", N_("amount")),
    Column("presentment_tax", ("presentment_totals", "tax"), "order", N_("amount")),
    Column("presentment_discounts", ("presentment_totals", "discounts"), "order", N_("amount")),
    Column("presentment_total", ("presentment_totals", "total"), "order", N_("amount")),
    Column("taxes_included", ("taxes_included",), "order",
           N_("`true` when the prices and totals include tax (VAT, GST); default `false`")),
    Column("tags", ("tags",), "order", N_("comma-separated, each at most 40 characters")),
    Column("note", ("note",), "order", N_("staff only, never shown to shoppers")),
    Column("customer_id", ("customer_id",), "order", N_("your customer id")),
    Column("guest_id", ("guest_id",), "order", N_("your guest-checkout id")),
    Column("order_status_url", ("order_status_url",), "order", N_("your platform's own status page (https)")),
    Column("shipping_name", ("shipping_address", "name"), "order", N_("shipping address (shown masked)")),
    Column("shipping_address1", ("shipping_address", "address1"), "order", N_("street")),
    Column("shipping_address2", ("shipping_address", "address2"), "order", N_("more street")),
    Column("shipping_city", ("shipping_address", "city"), "order", N_("city")),
    Column("shipping_province", ("shipping_address", "province"), "order", N_("state or province")),
    Column("shipping_postal_code", ("shipping_address", "postal_code"), "order", N_("postal code")),
    Column("shipping_country_code", ("shipping_address", "country_code"), "order", N_("two letters, e.g. `NO`")),
    Column("item_title", ("title",), "item", N_("the line item's product title; a row without it has no item")),
    Column("item_variant", ("variant",), "item", N_("e.g. `Blue / L`")),
    Column("item_sku", ("sku",), "item", N_("SKU")),
    Column("item_quantity", ("quantity",), "item", N_("whole number, default 1")),
    Column("item_unit_price", ("unit_price",), "item", N_("amount in `currency`")),
    Column("item_presentment_unit_price", ("presentment_unit_price",), "item",
           N_("amount in `presentment_currency`; required when it differs")),
    Column("item_discount", ("discount",), "item", N_("the discount on the whole line, amount in `currency`")),
    Column("item_presentment_discount", ("presentment_discount",), "item",
           N_("the line's discount in `presentment_currency`; required with a discount when it differs")),
    Column("item_image_url", ("image_url",), "item", N_("https URL of the product image")),
    Column("item_product_url", ("product_url",), "item", N_("https URL of the product's page in your shop")),
    Column("item_product_id", ("product_id",), "item", N_("your platform's product id (for buy again)")),
    Column("item_variant_id", ("variant_id",), "item",
           N_("your platform's variant id (WooCommerce: the variation id; for buy again)")),
    Column("tracking_number", ("tracking_number",), "shipment",
           N_("the parcel this row's item travels in; rows with the same number share one shipment")),
    Column("carrier", ("carrier",), "shipment", N_("carrier name or code (`UPS`, `postnord`); detected when empty")),
    Column("tracking_url", ("tracking_url",), "shipment", N_("the carrier's page; built from the number when empty")),
    Column("shipment_status", ("status",), "shipment",
           N_("`in_transit`, `delivered`, … (carrier spellings such as `InTransit` are accepted)")),
    Column("shipped_at", ("shipped_at",), "shipment", N_("ISO 8601, years 1970 to 2100")),
    Column("estimated_delivery", ("estimated_delivery",), "shipment", N_("date, `2026-11-24`, years 1970 to 2100")),
)

BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
_BY_PATH: dict[tuple[str, tuple[str, ...]], str] = {(c.level, c.path): c.name for c in COLUMNS}
LIST_KEYS = {"item": "line_items", "shipment": "shipments"}


def header_name(raw: str) -> str:
    return "_".join(raw.strip().lower().split())


def column_for(field: str) -> str | None:
    """The column behind an OrderIn error path: `line_items.0.unit_price` -> `item_unit_price`."""
    parts = tuple(field.split("."))
    for level, key in LIST_KEYS.items():
        if parts[:1] == (key,) and len(parts) >= 3:
            return _BY_PATH.get((level, parts[2:3]))
    for length in (2, 1):
        name = _BY_PATH.get(("order", parts[:length]))
        if name:
            return name
    return None
