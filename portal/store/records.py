"""Tables of what the portal records about traffic rather than shops and orders: webhook receipts
(idempotency) and the delivery log, counts of refused deliveries, the e-mail outbox, the live
changes passed between server processes, and the daily counts of tracking page use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.store.models import empty_dict, utcnow


class WebhookReceipt(SQLModel, table=True):
    """One row per platform delivery that was applied: a redelivery of the same id is a duplicate."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (UniqueConstraint("merchant_id", "platform", "delivery_id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    platform: str = Field(max_length=32)
    delivery_id: str = Field(max_length=128)
    # SHA-256 of the raw body: tells a true redelivery from a reused id with other content.
    body_hash: str = Field(max_length=64)
    received_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """The merchant-facing log of every delivery attempt and what became of it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_merchant_id", "merchant_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    platform: str = Field(max_length=32)
    topic: str = Field(default="", max_length=64)
    delivery_id: str = Field(default="", max_length=128)
    # stored, duplicate, ignored or rejected
    result: str = Field(max_length=16)
    # In English, as the platform was answered.
    reason: str = Field(default="", max_length=500)
    # The reason as its message template (English, in the catalogs) and values, which the console
    # shows in its reader's language; None in rows logged before they were kept, and for errors
    # we have no template for.
    reason_template: str | None = Field(default=None)
    reason_values: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    order_number: str | None = Field(default=None, max_length=64)
    http_status: int = 200
    received_at: datetime = Field(default_factory=utcnow)


class WebhookRefusalCount(SQLModel, table=True):
    """Deliveries that could not be verified (bad or no signature, no secret set, too large to
    check, WooCommerce's unsigned ping), counted per shop, platform, kind and hour: anyone can send
    them, so they are never logged one row each (that would let strangers push real entries out)."""

    __tablename__ = "webhook_refusal_counts"
    __table_args__ = (UniqueConstraint("merchant_id", "platform", "kind", "hour"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    platform: str = Field(max_length=32)
    # bad_signature, no_secret, too_large or ping
    kind: str = Field(max_length=16)
    # The start of the hour (UTC) the deliveries arrived in.
    hour: datetime
    count: int = 0


class OutboxMessage(SQLModel, table=True):
    """An e-mail to send, written in the same transaction as the change it reports.

    A worker claims a row by leasing it; a lease that runs out (the worker crashed) makes it due
    again. The Message-ID is derived from the row, so a resend after a crash carries the same id.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("merchant_id", "dedupe_key"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_merchant", "merchant_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    # shipped, out_for_delivery, delivered, exception, custom_status or test
    kind: str = Field(max_length=32)
    params: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    recipient: str = Field(max_length=255)
    # One message per change: "shipment:12:delivered" is never queued twice.
    dedupe_key: str = Field(max_length=128)
    message_token: str = Field(max_length=32, unique=True)
    # pending, sending, sent, failed (gave up) or skipped (opted out / switched off before sending)
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    lease_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class LiveChange(SQLModel, table=True):
    """Order changes one transaction committed on SQLite, for the other server processes on the
    same database to pass to their open pages (portal/live/hub.py polls it; PostgreSQL uses NOTIFY)."""

    __tablename__ = "live_changes"
    # Ids never reused, also once every row was deleted: a reader goes on from the last it saw.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    # The writing process's broker (its own pages heard at once), or "" from a command.
    origin: str = Field(default="", max_length=32)
    # A JSON array of hub.OrderChange data, as PostgreSQL's NOTIFY carries one.
    payload: str
    created_at: datetime = Field(default_factory=utcnow)


class OrderViewCount(SQLModel, table=True):
    """Views of one order's page on one day (the shop's calendar day): counted in each server
    process's memory and added here in batches, never a write per view. No visitor data. Also the
    tracking e-mails sent about the order that day (added by the outbox worker as it sends them)."""

    __tablename__ = "order_view_counts"
    __table_args__ = (
        UniqueConstraint("merchant_id", "day", "order_id"),
        # The analytics page sums a period's rows from the index alone, without reading the table.
        Index("ix_order_view_counts_merchant_day_counts", "merchant_id", "day", "order_id", "views",
              "email_views", "emails"),
    )

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    order_id: int = Field(foreign_key="orders.id", index=True)
    day: date
    views: int = 0
    # Of them, views through the link of a tracking e-mail (marked with ?via=email).
    email_views: int = 0
    emails: int = 0


class UsageCount(SQLModel, table=True):
    """Per shop and day counts that belong to no order (guest lookups found / not found), batched
    like OrderViewCount."""

    __tablename__ = "usage_counts"
    __table_args__ = (UniqueConstraint("merchant_id", "day", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    day: date
    # lookup_found or lookup_missed
    kind: str = Field(max_length=32)
    count: int = 0
