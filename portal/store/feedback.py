"""Shoppers' ratings of delivered orders: one row per order, read per order and per shop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from portal.store.models import Order
from portal.store.shopper_requests import OrderFeedback

def of_order(session: Session, merchant_id: int, order_id: int) -> OrderFeedback | None:
    return session.exec(select(OrderFeedback).where(
        OrderFeedback.merchant_id == merchant_id, OrderFeedback.order_id == order_id)).first()


def page_of_shop(session: Session, merchant_id: int, rating: int | None, page: int,
                 per_page: int) -> tuple[int, Sequence[Any]]:
    """(how many match, one page of (feedback, order number) rows), newest first; only `rating`
    stars when given."""
    where = [OrderFeedback.merchant_id == merchant_id]
    if rating is not None:
        where.append(OrderFeedback.rating == rating)
    total = session.exec(select(func.count()).select_from(OrderFeedback).where(*where)).one()
    rows = session.exec(
        select(OrderFeedback, Order.number).join(Order, col(Order.id) == OrderFeedback.order_id)
        .where(*where, Order.merchant_id == merchant_id)
        .order_by(col(OrderFeedback.created_at).desc(), col(OrderFeedback.id).desc())
        .offset((page - 1) * per_page).limit(per_page)).all()
    return total, rows


def summary(session: Session, merchant_id: int) -> tuple[int, float | None]:
    """(how many ratings the shop has, their average)."""
    count, average = session.exec(select(func.count(), func.avg(OrderFeedback.rating))
                                  .where(OrderFeedback.merchant_id == merchant_id)).one()
    return count, (float(average) if average is not None else None)
