"""Tables of what shoppers ask of a shop through the portal: return requests (and the items they
send back) and delivery feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.store.models import utcnow


class OrderFeedback(SQLModel, table=True):
    """A shopper's rating (1-5) and comment on a delivered order: one per order, editable for a while."""

    __tablename__ = "order_feedback"
    __table_args__ = (Index("ix_order_feedback_merchant_created", "merchant_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    order_id: int = Field(foreign_key="orders.id", unique=True)
    rating: int
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReturnRequest(SQLModel, table=True):
    """A shopper's request to send items of an order back, and the merchant's answer to it."""

    __tablename__ = "return_requests"
    __table_args__ = (
        Index("ix_return_requests_merchant_status", "merchant_id", "status"),
        Index("ix_return_requests_merchant_external", "merchant_id", "source", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    merchant_id: int = Field(foreign_key="merchants.id")
    order_id: int = Field(foreign_key="orders.id", index=True)
    # requested · approved · declined · received · refunded
    status: str = Field(default="requested", max_length=16)
    # A key of the shop's return reasons; `reason_text` is its wording as the shopper read it.
    reason: str = Field(max_length=64)
    reason_text: str = Field(default="", max_length=200)
    comment: str | None = Field(default=None, max_length=1000)
    instructions: str | None = Field(default=None, max_length=2000)
    label_url: str | None = Field(default=None, max_length=1000)
    decline_reason: str | None = Field(default=None, max_length=1000)
    # The language the shopper asked in: their e-mails about the request use it.
    locale: str | None = Field(default=None, max_length=16)
    # "portal" for the shopper's form; "shopify" once a platform return is linked to it.
    source: str = Field(default="portal", max_length=32)
    external_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReturnItem(SQLModel, table=True):
    """How many of one line item a return request sends back.

    No foreign key to line_items: an order's line items are replaced when the platform changes them,
    so the item's words and position are kept here too (store/returns.py matches on them then)."""

    __tablename__ = "return_items"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_requests.id", index=True)
    line_item_id: int
    position: int = 0
    title: str = Field(max_length=500)
    variant: str | None = Field(default=None, max_length=255)
    sku: str | None = Field(default=None, max_length=128)
    quantity: int = 1
