"""Tables. Money columns are integer minor units; datetimes are timezone-aware, stored as UTC."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, LargeBinary, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Default factories are plain functions, not the `dict` and `list` types: pydantic inspects a
# factory's signature on every model construction, and for a builtin type that means parsing its
# text signature and failing, which is slow.
def empty_dict() -> dict[str, Any]:
    return {}


def empty_list() -> list[Any]:
    return []


# Amounts in minor units pass 2**31 (21 million dollars): BIGINT on PostgreSQL,
# where INTEGER has 32 bits. SQLite's INTEGER has 64 bits already.
MINOR_UNITS = BigInteger().with_variant(Integer(), "sqlite")


class Merchant(SQLModel, table=True):
    __tablename__ = "merchants"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    host: str | None = Field(default=None, max_length=255, unique=True)
    default_locale: str = Field(default="en", max_length=16)
    # Comma-separated locale codes; empty means every shipped locale.
    enabled_locales: str = Field(default="", max_length=500)
    currency: str = Field(default="USD", max_length=3)
    timezone: str = Field(default="UTC", max_length=64)
    theme: str = Field(default="classic", max_length=64)
    theme_settings: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    support_email: str | None = Field(default=None, max_length=255)
    support_phone: str | None = Field(default=None, max_length=64)
    support_url: str | None = Field(default=None, max_length=500)
    embed_origins: str = Field(default="", max_length=2000)
    shopify_webhook_secret: str | None = Field(default=None, max_length=255)
    shopify_previous_webhook_secret: str | None = Field(default=None, max_length=255)
    woocommerce_webhook_secret: str | None = Field(default=None, max_length=255)
    bigcommerce_webhook_secret: str | None = Field(default=None, max_length=255)
    # Free-form settings owned by features (poll interval, notifications, ...).
    settings: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)


class MerchantUser(SQLModel, table=True):
    __tablename__ = "merchant_users"
    __table_args__ = (UniqueConstraint("merchant_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    email: str = Field(max_length=255)
    password_hash: str = Field(max_length=255)
    # Carried in the signed session cookie; logout and a password change bump it, which ends every
    # session of this user (a cookie with another version counts as logged out).
    session_version: int = Field(default=1)
    # The console's language for this login (a shipped catalog); None: the browser's language.
    locale: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    name: str = Field(default="", max_length=100)
    prefix: str = Field(max_length=16, index=True)
    # SHA-256 of the whole key: keys are 256-bit random, so a slow hash buys nothing.
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("merchant_id", "number_key"),
        Index("ix_orders_merchant_external", "merchant_id", "source", "external_id"),
        Index("ix_orders_merchant_email", "merchant_id", "email_key"),
        Index("ix_orders_merchant_placed", "merchant_id", "placed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: every index of the table starts with merchant_id (one page less to write
    # for each new order).
    merchant_id: int = Field(foreign_key="merchants.id")
    # Random, public half of the signed tracking link.
    public_id: str = Field(max_length=32, unique=True)
    # Changing the nonce revokes every link issued so far.
    link_nonce: str = Field(max_length=32)
    number: str = Field(max_length=64)
    number_key: str = Field(max_length=64)
    external_id: str | None = Field(default=None, max_length=64)
    source: str = Field(default="api", max_length=32)
    email: str | None = Field(default=None, max_length=255)
    email_key: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=64)
    phone_key: str | None = Field(default=None, max_length=32)
    postal_code: str | None = Field(default=None, max_length=32)
    postal_key: str | None = Field(default=None, max_length=32)
    customer_id: str | None = Field(default=None, max_length=64)
    guest_id: str | None = Field(default=None, max_length=64)
    placed_at: datetime
    locale: str | None = Field(default=None, max_length=16)
    status: str = Field(default="open", max_length=32)
    cancel_reason: str | None = Field(default=None, max_length=32)
    cancelled_at: datetime | None = None
    payment_status: str = Field(default="pending", max_length=32)
    fulfillment_status: str = Field(default="unfulfilled", max_length=32)
    return_status: str = Field(default="none", max_length=32)
    custom_status: str | None = Field(default=None, max_length=64)
    # Platform values we could not map exactly, kept for the merchant's eyes.
    raw_statuses: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    currency: str = Field(max_length=3)
    presentment_currency: str = Field(max_length=3)
    subtotal: int = Field(default=0, sa_type=MINOR_UNITS)
    shipping: int = Field(default=0, sa_type=MINOR_UNITS)
    tax: int = Field(default=0, sa_type=MINOR_UNITS)
    discounts: int = Field(default=0, sa_type=MINOR_UNITS)
    total: int = Field(default=0, sa_type=MINOR_UNITS)
    presentment_subtotal: int = Field(default=0, sa_type=MINOR_UNITS)
    presentment_shipping: int = Field(default=0, sa_type=MINOR_UNITS)
    presentment_tax: int = Field(default=0, sa_type=MINOR_UNITS)
    presentment_discounts: int = Field(default=0, sa_type=MINOR_UNITS)
    presentment_total: int = Field(default=0, sa_type=MINOR_UNITS)
    # The prices and totals include tax (VAT, GST): the tax line is then a part of the total.
    taxes_included: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    shipping_address: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=5000)
    order_status_url: str | None = Field(default=None, max_length=1000)
    # Set when the shopper follows the unsubscribe link: no more e-mails about this order.
    email_opt_out_at: datetime | None = None
    # The platform's own "last changed" time of the newest payload applied: older ones are stale.
    source_updated_at: datetime | None = None
    # Bumped on every change: drives ETags and live updates.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LineItem(SQLModel, table=True):
    __tablename__ = "line_items"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    position: int = 0
    title: str = Field(max_length=500)
    variant: str | None = Field(default=None, max_length=255)
    sku: str | None = Field(default=None, max_length=128)
    quantity: int = 1
    unit_price: int = Field(default=0, sa_type=MINOR_UNITS)
    presentment_unit_price: int = Field(default=0, sa_type=MINOR_UNITS)
    # The discount on the whole line (all its units), taken off unit price x quantity.
    discount: int = Field(default=0, sa_type=MINOR_UNITS, sa_column_kwargs={"server_default": "0"})
    presentment_discount: int = Field(default=0, sa_type=MINOR_UNITS, sa_column_kwargs={"server_default": "0"})
    image_url: str | None = Field(default=None, max_length=1000)
    product_url: str | None = Field(default=None, max_length=1000)
    # The platform's own ids (a WooCommerce variation id is kept as variant_id): what "buy again"
    # puts in the shop's cart.
    product_id: str | None = Field(default=None, max_length=64)
    variant_id: str | None = Field(default=None, max_length=64)


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"
    __table_args__ = (
        Index("ix_shipments_merchant_tracking", "merchant_id", "tracking_key"),
        # The console's analytics read a shop's shipments by when they shipped.
        Index("ix_shipments_merchant_shipped", "merchant_id", "shipped_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    external_id: str | None = Field(default=None, max_length=64)
    carrier: str | None = Field(default=None, max_length=64)
    carrier_name: str | None = Field(default=None, max_length=128)
    tracking_number: str | None = Field(default=None, max_length=64)
    tracking_key: str | None = Field(default=None, max_length=64)
    tracking_url: str | None = Field(default=None, max_length=1000)
    status: str = Field(default="pending", max_length=32)
    estimated_delivery: date | None = None
    estimated_delivery_end: date | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    # Kept from the shipment's tracking events as they are stored (store/shipment_stats.py), for the
    # console's carrier table, which would otherwise read every event of a period's shipments: the
    # first scan (an event after the label's) and whether any event said "exception".
    first_scan_at: datetime | None = None
    had_exception: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ShipmentItem(SQLModel, table=True):
    """Which line items (and how many) travel in a shipment."""

    __tablename__ = "shipment_items"

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    line_item_id: int = Field(foreign_key="line_items.id")
    quantity: int = 1


class TrackingEvent(SQLModel, table=True):
    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("shipment_id", "at", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    at: datetime
    status: str = Field(max_length=32)
    substatus: str | None = Field(default=None, max_length=64)
    message: str | None = Field(default=None, max_length=1000)
    location: str | None = Field(default=None, max_length=255)
    raw: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))


class TimelineEntry(SQLModel, table=True):
    __tablename__ = "timeline_entries"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    at: datetime
    # A known kind ("placed", "paid", ...) is rendered through the translation layer;
    # "message" entries carry merchant-written text.
    kind: str = Field(max_length=32)
    params: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    visible_to_shopper: bool = True


class StaffEntry(SQLModel, table=True):
    """One line of an order's staff timeline: a change and who or what made it, or a staff note.
    Never read for shoppers (their timeline is TimelineEntry)."""

    __tablename__ = "staff_entries"
    __table_args__ = (Index("ix_staff_entries_order_at", "order_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    order_id: int = Field(foreign_key="orders.id")
    at: datetime = Field(default_factory=utcnow)
    # Who or what made the change: "webhook" + the platform, "api" + the key's name, "console" +
    # the user's e-mail, "csv", "carrier" + the key's name, "cli", "portal".
    actor_kind: str = Field(max_length=16)
    actor_name: str = Field(default="", max_length=255)
    # "created", "updated", "shipment", "custom_status", "tags", "note", "link_revoked", "email_queued", ...
    kind: str = Field(max_length=32)
    # What changed: {field: [before, after]} and the like, as plain JSON values.
    changes: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=5000)


class CustomStatus(SQLModel, table=True):
    """A merchant's own order status ("Being engraved"), shown on top of the canonical ones."""

    __tablename__ = "custom_statuses"
    __table_args__ = (UniqueConstraint("merchant_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    key: str = Field(max_length=64)
    # {locale: label}; a locale without a label falls back to the merchant's default language.
    labels: dict[str, str] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    # A validated CSS colour, served from a generated stylesheet (the CSP forbids inline styles).
    color: str = Field(default="#6b7280", max_length=64)
    # Index into statuses.PROGRESS_STEPS where the status sits; None keeps it off the progress bar.
    progress_step: int | None = None
    visible_to_shopper: bool = True
    send_email: bool = False
    # Platform tags that set this status when an order arrives carrying one of them.
    tags: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ThemeImage(SQLModel, table=True):
    """A merchant's re-encoded theme image (logo, hero), addressed by the SHA-256 of its bytes."""

    __tablename__ = "theme_images"
    __table_args__ = (UniqueConstraint("merchant_id", "digest"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    digest: str = Field(max_length=64)
    ext: str = Field(max_length=8)
    width: int
    height: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ThemeRevision(SQLModel, table=True):
    """A merchant's unpublished draft, or the settings that were live before the last publish."""

    __tablename__ = "theme_revisions"
    __table_args__ = (UniqueConstraint("merchant_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    kind: str = Field(max_length=16)  # "draft" or "previous"
    theme: str = Field(max_length=64)
    setting_values: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class TranslationOverride(SQLModel, table=True):
    """A merchant's own wording for one shopper-facing string in one locale.

    `msgid` (+ `msgctxt`) is the English source string as extracted into messages.pot. Plural
    strings keep one text per plural form of the locale in `plural_forms`; `text` then holds form 0.
    """

    __tablename__ = "translation_overrides"
    __table_args__ = (UniqueConstraint("merchant_id", "locale", "msgctxt", "msgid"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id", index=True)
    locale: str = Field(max_length=16)
    msgctxt: str = Field(default="", max_length=64)
    msgid: str = Field(max_length=1000)
    text: str = Field(max_length=2000)
    plural_forms: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
