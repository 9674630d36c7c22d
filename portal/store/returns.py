"""Return requests and their items: the only SQL about returns, always scoped by merchant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.store.models import Order
from portal.store.shopper_requests import ReturnItem, ReturnRequest
from portal.store.writes import insert_rows


def add_request(session: Session, values: dict[str, Any], items: list[dict[str, Any]]) -> ReturnRequest:
    """A new request with its items, in the caller's transaction."""
    request = ReturnRequest(**values)
    session.add(request)
    session.flush()
    insert_rows(session, ReturnItem, [{**item, "return_id": request.id} for item in items])
    return request


def request_by_id(session: Session, merchant_id: int, request_id: int) -> ReturnRequest | None:
    return session.exec(select(ReturnRequest).where(
        ReturnRequest.merchant_id == merchant_id, ReturnRequest.id == request_id)).first()


def request_by_external_id(session: Session, merchant_id: int, source: str, external_id: str) -> ReturnRequest | None:
    return session.exec(select(ReturnRequest).where(
        ReturnRequest.merchant_id == merchant_id, ReturnRequest.source == source,
        ReturnRequest.external_id == external_id)).first()


def requests_of_order(session: Session, merchant_id: int, order_id: int) -> Sequence[ReturnRequest]:
    """The order's requests, oldest first."""
    return session.exec(select(ReturnRequest).where(
        ReturnRequest.merchant_id == merchant_id, ReturnRequest.order_id == order_id)
        .order_by(col(ReturnRequest.id))).all()


def items_of(session: Session, request_ids: Sequence[int]) -> Sequence[ReturnItem]:
    if not request_ids:
        return []
    return session.exec(select(ReturnItem).where(col(ReturnItem.return_id).in_(list(request_ids)))
                        .order_by(col(ReturnItem.return_id), col(ReturnItem.position), col(ReturnItem.id))).all()


def page_of_requests(session: Session, merchant_id: int, status: str | None, page: int,
                     per_page: int) -> tuple[int, Sequence[tuple[ReturnRequest, Order]]]:
    """(how many there are, one page of them with their orders), newest first."""
    where = [ReturnRequest.merchant_id == merchant_id]
    if status:
        where.append(ReturnRequest.status == status)
    total = session.exec(select(func.count()).select_from(ReturnRequest).where(*where)).one()
    rows = session.exec(
        select(ReturnRequest, Order).join(Order, col(Order.id) == col(ReturnRequest.order_id))
        .where(*where, Order.merchant_id == merchant_id)
        .order_by(col(ReturnRequest.id).desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return total, rows


def counts_by_status(session: Session, merchant_id: int) -> dict[str, int]:
    rows = session.exec(select(ReturnRequest.status, func.count()).where(ReturnRequest.merchant_id == merchant_id)
                        .group_by(ReturnRequest.status)).all()
    return {status: count for status, count in rows}
