"""Return requests, the shopper's side: who may ask (delivered, within the window), for how many of
each item, and what the order page shows of their requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from portal import inputs
from portal.i18n import gettext
from portal.orders import return_rules, return_steps, staff_log
from portal.orders.return_rules import Reason
from portal.orders.shipments import fulfillment_display
from portal.orders.upsert import lock_orders
from portal.store import queries
from portal.store import returns as store
from portal.store.models import Merchant, Order, utcnow
from portal.store.shopper_requests import ReturnItem, ReturnRequest


class ReturnInputError(ValueError):
    """A form the rules refuse; `errors` maps each field ("form" for the whole) to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Line:
    """One line item on the form: how many were ordered, asked for already, and may be asked for."""

    item: Any
    requested: int

    @property
    def left(self) -> int:
        return max(self.item.quantity - self.requested, 0)


@dataclass
class RequestView:
    request: ReturnRequest
    items: list[ReturnItem]


@dataclass
class Returns:
    """Everything about returns that an order page shows."""

    # Why no new request can be made ("off", "cancelled", "not_delivered", "closed", "nothing_left"), or None.
    closed_because: str | None
    deadline: datetime | None
    requests: list[RequestView] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.closed_because is None

    @property
    def shown(self) -> bool:
        return self.open or bool(self.requests)


def delivered_at(order: Any, shipments: Sequence[Any]) -> datetime | None:
    """When the order's last parcel arrived, once every one has; None before."""
    if fulfillment_display(order, shipments) != "delivered":
        return None
    return max((s.delivered_at or s.updated_at) for s in shipments)


def _held(items: Sequence[ReturnItem], requests: Sequence[ReturnRequest], lines: Sequence[Any]) -> dict[int, int]:
    """Quantities that requests still hold, per current line item. An item whose line item was
    replaced since (the platform re-sent the order) counts against the one at the same place with
    the same title."""
    holding = {r.id for r in requests if r.status in return_rules.HOLDING}
    current = {line.id for line in lines}
    by_place = {(line.position, line.title): line.id for line in lines}
    held: dict[int, int] = {}
    for item in items:
        if item.return_id not in holding:
            continue
        line_id = item.line_item_id if item.line_item_id in current else by_place.get((item.position, item.title))
        if line_id is not None:
            held[line_id] = held.get(line_id, 0) + item.quantity
    return held


def returns_of(session: Session, merchant: Merchant, order: Any, shipments: Sequence[Any] | None = None,
               line_items: Sequence[Any] | None = None, now: datetime | None = None) -> Returns:
    """The order's requests and whether (and for what) a new one can be made."""
    requests = list(store.requests_of_order(session, merchant.id, order.id))
    items = list(store.items_of(session, [r.id for r in requests]))
    by_request: dict[int, list[ReturnItem]] = {}
    for item in items:
        by_request.setdefault(item.return_id, []).append(item)
    views = [RequestView(r, by_request.get(r.id, [])) for r in reversed(requests)]
    if not return_rules.enabled(merchant):
        return Returns("off", None, views)
    shipments = queries.shipment_rows(session, order.id) if shipments is None else shipments
    if order.status == "cancelled":
        return Returns("cancelled", None, views)
    arrived = delivered_at(order, shipments)
    if arrived is None:
        return Returns("not_delivered", None, views)
    deadline = arrived + timedelta(days=return_rules.window_days(merchant))
    if (now or utcnow()) > deadline:
        return Returns("closed", deadline, views)
    lines_of_order = queries.line_item_rows(session, order.id) if line_items is None else line_items
    held = _held(items, requests, lines_of_order)
    lines = [Line(line, held.get(line.id, 0)) for line in lines_of_order]
    closed = None if any(line.left for line in lines) else "nothing_left"
    return Returns(closed, deadline, views, lines, return_rules.reasons(merchant))


def order_for_form(session: Session, merchant: Merchant, order_id: int) -> tuple[Order, Returns] | None:
    order = queries.order_by_id(session, merchant.id, order_id)
    return (order, returns_of(session, merchant, order)) if order else None


def _quantities(form: Mapping[str, str], lines: list[Line], errors: dict[str, str]) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for line in lines:
        name = f"quantity_{line.item.id}"
        raw = (form.get(name) or "").strip()
        if not raw or raw == "0":
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
            errors[name] = gettext("Enter a whole number.")
        elif int(raw) > line.left:
            errors[name] = gettext("You can return at most %(num)d of this item.") % {"num": line.left}
        else:
            wanted[line.item.id] = int(raw)
    return wanted


def request_return(session: Session, merchant: Merchant, order_id: int, form: Mapping[str, str],
                   locale: str | None) -> ReturnRequest:
    """A new request from the shopper's form (quantity_<line item id>, reason, comment), or
    ReturnInputError naming every field the rules refuse: nothing is stored then."""
    order = queries.order_by_id(session, merchant.id, order_id)
    if order is None:
        raise ReturnInputError({"form": gettext("This order cannot be found any more.")})
    lock_orders(session, [order])  # two submissions at once: the second sees the first one's quantities
    returns = returns_of(session, merchant, order)
    if not returns.open:
        message = (gettext("Every item of this order is already part of a return request.")
                   if returns.closed_because == "nothing_left" else gettext("This order cannot be returned any more."))
        raise ReturnInputError({"form": message})
    errors: dict[str, str] = {}
    wanted = _quantities(form, returns.lines, errors)
    if not wanted and not errors:
        errors["form"] = gettext("Choose at least one item and how many of it to return.")
    reasons = {r.key: r for r in returns.reasons}
    reason = reasons.get((form.get("reason") or "").strip())
    if reason is None:
        errors["reason"] = gettext("Choose a reason.")
    comment = (form.get("comment") or "").strip()
    if len(comment) > return_rules.MAX_COMMENT:
        errors["comment"] = gettext("At most %(num)d characters.") % {"num": return_rules.MAX_COMMENT}
    elif inputs.text_problem(comment, single_line=False):
        errors["comment"] = gettext("This text contains a character that cannot be stored.")
    if errors or reason is None:
        raise ReturnInputError(errors)
    request = store.add_request(session, {
        "merchant_id": merchant.id, "order_id": order.id, "status": "requested", "reason": reason.key,
        "reason_text": reason.label(merchant.default_locale)[:return_rules.MAX_REASON],
        "comment": comment or None, "locale": locale,
    }, [{"line_item_id": line.item.id, "position": line.item.position, "title": line.item.title,
         "variant": line.item.variant, "sku": line.item.sku, "quantity": wanted[line.item.id]}
        for line in returns.lines if line.item.id in wanted])
    return_steps.settle(session, merchant, order, request, None, staff_log.SHOPPER)
    return request
