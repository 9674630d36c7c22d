"""The shop's return requests as staff read them: the console's list and page, the API's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from portal.i18n import gettext
from portal.orders import return_rules
from portal.store import queries
from portal.store import returns as store
from portal.store.models import Order
from portal.store.shopper_requests import ReturnItem, ReturnRequest

PER_PAGE = 50


@dataclass
class Entry:
    request: ReturnRequest
    order: Order
    items: list[ReturnItem]

    @property
    def reason_words(self) -> str:
        """The reason in the active locale (the console's); a shop's own one as the shopper read it."""
        key = self.request.reason
        return gettext(return_rules.DEFAULT_REASONS[key]) if key in return_rules.DEFAULT_REASONS else self.request.reason_text


@dataclass
class QueuePage:
    entries: list[Entry]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page(session: Session, merchant_id: int, status: str | None, number: int = 1,
         per_page: int = PER_PAGE) -> QueuePage:
    """One page of the shop's requests (of one status, or all), newest first."""
    status = status if status in return_rules.STATUSES else None
    number = max(1, number)
    total, rows = store.page_of_requests(session, merchant_id, status, number, per_page)
    items = store.items_of(session, [request.id for request, _ in rows])
    by_request: dict[int, list[ReturnItem]] = {}
    for item in items:
        by_request.setdefault(item.return_id, []).append(item)
    entries = [Entry(request, order, by_request.get(request.id, [])) for request, order in rows]
    return QueuePage(entries, total, number, per_page, store.counts_by_status(session, merchant_id))


def entry(session: Session, merchant_id: int, request_id: int) -> Entry | None:
    """One of the shop's requests with its order and items; None for another shop's."""
    request = store.request_by_id(session, merchant_id, request_id)
    order = queries.order_by_id(session, merchant_id, request.order_id) if request else None
    if request is None or order is None:
        return None
    return Entry(request, order, list(store.items_of(session, [request.id])))


def as_json(entry: Entry) -> dict[str, Any]:
    request = entry.request
    return {
        "id": request.id,
        "status": request.status,
        "order_number": entry.order.number,
        "order_return_status": entry.order.return_status,
        "email": entry.order.email,
        "reason": request.reason,
        "reason_text": request.reason_text,
        "comment": request.comment,
        "items": [{"line_item_id": i.line_item_id, "title": i.title, "variant": i.variant, "sku": i.sku,
                   "quantity": i.quantity} for i in entry.items],
        "instructions": request.instructions,
        "label_url": request.label_url,
        "decline_reason": request.decline_reason,
        "locale": request.locale,
        "source": request.source,
        "external_id": request.external_id,
        "created_at": request.created_at.isoformat(),
        "updated_at": request.updated_at.isoformat(),
    }
