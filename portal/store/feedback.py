"""Shoppers' ratings of delivered orders: one row per order, read per order and per shop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from portal.store.models import Order
from portal.store.shopper_requests import OrderFeedback

# The console's list shows the newest this many.
LIST_LIMIT = 200


def of_order(session: Session, merchant_id: int, order_id: int) -> OrderFeedback | None:
    return session.exec(select(OrderFeedback).where(
        OrderFeedback.merchant_id == merchant_id, OrderFeedback.order_id == order_id)).first()


def of_shop(session: Session, merchant_id: int, rating: int | None = None) -> Sequence[Any]:
    """(feedback, order number) rows of the shop, newest first; only `rating` stars when given."""
    query = (select(OrderFeedback, Order.number).join(Order, col(Order.id) == OrderFeedback.order_id)
             .where(OrderFeedback.merchant_id == merchant_id, Order.merchant_id == merchant_id))
    if rating is not None:
        query = query.where(OrderFeedback.rating == rating)
    return session.exec(query.order_by(col(OrderFeedback.created_at).desc(), col(OrderFeedback.id).desc())
                        .limit(LIST_LIMIT)).all()


def summary(session: Session, merchant_id: int) -> tuple[int, float | None]:
    """(how many ratings the shop has, their average)."""
    count, average = session.exec(select(func.count(), func.avg(OrderFeedback.rating))
                                  .where(OrderFeedback.merchant_id == merchant_id)).one()
    return count, (float(average) if average is not None else None)
