"""Order service: creating and updating orders (API, platforms, imports), their statuses,
timeline, line items and custom status.

Everything for one order happens in one transaction: it is written whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.live import hub
from portal.orders import custom_statuses, shipments, staff_log
from portal.orders.amounts import ORDER_TOTAL_FIELDS, OrderInputError, order_amounts
from portal.notify import notifications
from portal.links import new_link_nonce, new_public_id
from portal.orders.changes import ORDER_VOLATILE, add_timeline, state, timeline_row, touch
from portal.problems import N_, Problem
from portal.schemas import OrderIn
from portal.store import queries, writes
from portal.store.models import CustomStatus, LineItem, Merchant, Order, Shipment, utcnow


# -- normalised keys used to match shoppers' input --------------------------------------------

def number_key(number: str) -> str:
    return re.sub(r"\s+", "", (number or "").strip().lstrip("#")).lower()


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email and email.strip() else None


def phone_key(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits or None


def postal_key(postal: str | None) -> str | None:
    key = re.sub(r"[\s-]", "", postal or "").upper()
    return key or None


# -- upsert --------------------------------------------------------------------------------

STATUS_FIELDS = ("status", "payment_status", "fulfillment_status", "return_status")
# Status changes that the shopper sees as a timeline entry: (field, value) -> kind.
_TIMELINE_KINDS = {
    ("payment_status", "paid"): "paid",
    ("payment_status", "partially_refunded"): "partially_refunded",
    ("payment_status", "refunded"): "refunded",
    ("status", "cancelled"): "cancelled",
    ("fulfillment_status", "partially_fulfilled"): "partially_fulfilled",
    ("fulfillment_status", "fulfilled"): "fulfilled",
    ("fulfillment_status", "on_hold"): "on_hold",
    ("return_status", "requested"): "return_requested",
    ("return_status", "in_progress"): "return_in_progress",
    ("return_status", "returned"): "returned",
    ("return_status", "declined"): "return_declined",
}


@dataclass
class UpsertResult:
    order: Order
    created: bool
    changed: bool


@dataclass(frozen=True)
class StoredOrder:
    """What an update of an order compares with: its line items (plain rows) and its parcels."""
    items: Sequence[Any]
    shipments: list[Shipment]


def lock_orders(session: Session, orders: Iterable[Order | None]) -> bool:
    """Lock orders read earlier to this transaction's commit (SQLite: its write lock; PostgreSQL:
    their rows), and make current those another server process changed since they were loaded (their
    version moved). Returns whether one had changed."""
    loaded = {order.id: order for order in orders if order is not None}
    versions = writes.lock_orders(session, list(loaded))
    moved = False
    for order_id, order in loaded.items():
        if versions.get(order_id) != order.version:
            session.refresh(order)
            moved = True
    return moved


def locked_targets(session: Session, merchant_id: int, source: str, external_id: str | None,
                   key: str) -> tuple[Order | None, Order | None]:
    """queries.upsert_targets, locked to the commit (lock_orders)."""
    found = queries.upsert_targets(session, merchant_id, source, external_id, key)
    lock_orders(session, found)
    return found


def stored_order(session: Session, order: Order | None) -> StoredOrder | None:
    """The order's line items and parcels (None for no order): what an update compares with."""
    if order is None:
        return None
    return StoredOrder(queries.line_item_rows(session, order.id), list(queries.shipments(session, order.id)))


def _order_values(data: OrderIn, order: Order | None, source: str, amounts: dict[str, int],
                  columns: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The Order columns `data` sets, for a new order (`order` None) or the stored one."""
    key = number_key(data.number)
    postal = data.postal_code or (data.shipping_address.postal_code if data.shipping_address else None)
    values: dict[str, Any] = {
        "number": data.number, "number_key": key, "external_id": data.external_id or (order and order.external_id),
        "source": source, "email": data.email, "email_key": email_key(data.email),
        "phone": data.phone, "phone_key": phone_key(data.phone),
        "postal_code": postal, "postal_key": postal_key(postal),
        "customer_id": data.customer_id, "guest_id": data.guest_id, "locale": data.locale,
        "status": data.status, "cancel_reason": data.cancel_reason,
        "payment_status": data.payment_status, "fulfillment_status": data.fulfillment_status,
        "return_status": data.return_status,
        "currency": data.currency, "presentment_currency": data.presentment_currency or data.currency,
        "shipping_address": data.shipping_address.model_dump(exclude_none=True) if data.shipping_address else {},
        "tags": data.tags, "note": data.note, "order_status_url": data.order_status_url,
        "taxes_included": data.taxes_included,
        **{name: amounts[name] for name in ORDER_TOTAL_FIELDS},
        **{f"presentment_{name}": amounts[f"presentment_{name}"] for name in ORDER_TOTAL_FIELDS},
        **(columns or {}),
    }
    if data.placed_at:
        values["placed_at"] = data.placed_at
    if data.status != "cancelled":
        values["cancelled_at"] = None
    elif order is None or order.cancelled_at is None:
        values["cancelled_at"] = now
    return values


def upsert_order(session: Session, merchant: Merchant, data: OrderIn, source: str = "api",
                 found: tuple[Order | None, Order | None] | None = None,
                 columns: dict[str, Any] | None = None, stored: StoredOrder | None = None,
                 actor: staff_log.Actor = staff_log.PORTAL) -> UpsertResult:
    """Create or update an order by merchant + external id, else by number. `found`: what the caller
    already looked up with queries.upsert_targets and locked (lock_orders); `stored`:
    stored_order() of the order found, if the caller read it. `columns`: more Order columns to
    write with it (a platform's raw statuses and version time). `actor`: who sends it, for the
    staff timeline."""
    amounts = order_amounts(data)
    explicit, wanted = _wanted_custom_status(session, merchant, data)
    by_external_id, by_number = found or locked_targets(session, merchant.id, source, data.external_id,
                                                        number_key(data.number))
    if by_external_id is not None and by_number is not None and by_external_id.id != by_number.id:
        # The order was renamed to a number another order holds: two orders cannot share one.
        taken = Problem(N_("%(number)s is already another order's number"), number=data.number)
        raise OrderInputError([{"field": "number", "message": taken}])
    order = by_external_id or by_number
    created = order is None
    now = utcnow()
    if order is None:
        values = _order_values(data, None, source, amounts, columns, now)
        values.setdefault("placed_at", now)
        values.setdefault("raw_statuses", {})
        order = writes.insert_object(session, Order, {
            **values, "merchant_id": merchant.id, "public_id": new_public_id(), "link_nonce": new_link_nonce()})
        before: dict[str, Any] = {}
        stored_items: Sequence[Any] = ()
        parcels: list[Shipment] = []
        _status_timeline(session, order, before, order.placed_at, bool(data.shipments), placed=True)
    else:
        values = _order_values(data, order, source, amounts, columns, now)
        before = state(order, ORDER_VOLATILE)
        stored = stored or stored_order(session, order)
        stored_items, parcels = stored.items, list(stored.shipments)
        for name, value in values.items():
            setattr(order, name, value)  # the unit of work writes only what differs
        _status_timeline(session, order, before, now, bool(data.shipments))

    if explicit and custom_statuses.apply(session, merchant, order, wanted):
        notifications.custom_status_set(session, merchant, order, wanted)
    new_items = _replace_line_items(session, order, data, amounts, created, stored_items)
    changed = new_items is not None
    for shipment in data.shipments:
        changed = shipments.save_shipment(session, merchant, order, shipment, parcels, actor)[1] or changed
    shipments.settle_delivery(session, order, parcels)
    after = state(order, ORDER_VOLATILE)
    # A re-delivered webhook or a re-imported file must not look like news: no version bump.
    changed = created or changed or after != before
    listed = staff_log.differences(before, after)
    if new_items is not None and not created:
        items_before = [{name: getattr(item, name) for name in _LOGGED_ITEM_FIELDS} for item in stored_items]
        items_after = [{name: item[name] for name in _LOGGED_ITEM_FIELDS} for item in new_items]
        if items_before != items_after:  # a new picture or product URL is no news to staff
            listed["line_items"] = [items_before, items_after]
    if created or listed:
        # Stamped with the upsert's start: listed before the parcels' entries it brought.
        staff_log.record(session, order, actor, "created" if created else "updated",
                         _created_changes(after) if created else listed, at=now)
    if changed and not created:
        touch(session, order, hub.PANELS, *(hub.Fact(name, getattr(order, name)) for name in STATUS_FIELDS
                                             if before.get(name) != getattr(order, name)))
    elif changed:
        session.flush()
        hub.record(session, order, hub.PANELS)
    return UpsertResult(order=order, created=created, changed=changed)


def _created_changes(values: dict[str, Any]) -> dict[str, Any]:
    """What the staff timeline lists for a new order: its statuses, custom status and tags."""
    shown = (*STATUS_FIELDS, "custom_status", "tags")
    return staff_log.differences({}, {name: values[name] for name in shown if values.get(name)})


def _status_timeline(session: Session, order: Order, before: dict[str, Any], at: datetime,
                     has_shipments: bool = False, placed: bool = False) -> None:
    """A timeline entry for each status that changed (every set one, when `before` is empty), after
    the "placed" entry of a new order: one statement for all of them."""
    rows = [timeline_row(order, "placed", order.placed_at)] if placed else []
    for name in STATUS_FIELDS:
        value = getattr(order, name)
        if before.get(name) != value and (name, value) in _TIMELINE_KINDS:
            kind = _TIMELINE_KINDS[(name, value)]
            if name == "fulfillment_status" and kind != "on_hold" and has_shipments:
                continue  # the shipments' own "shipped" entries say it, with the real time
            params = {"reason": order.cancel_reason} if kind == "cancelled" and order.cancel_reason else {}
            rows.append(timeline_row(order, kind, at, params))
    add_timeline(session, rows)


def change_statuses(session: Session, order: Order, changes: dict[str, str], at: datetime | None = None,
                    actor: staff_log.Actor = staff_log.PORTAL) -> bool:
    """Change some of an order's statuses (a refund, a return step) with their timeline entries."""
    before = {name: getattr(order, name) for name in STATUS_FIELDS}
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(order, name, value)
    _status_timeline(session, order, before, at or utcnow())
    staff_log.record(session, order, actor, "updated", {name: [before[name], value] for name, value in changed.items()})
    touch(session, order, ("status", "timeline"), *(hub.Fact(n, v) for n, v in changed.items()))
    return True


def _wanted_custom_status(session: Session, merchant: Merchant, data: OrderIn) -> tuple[bool, CustomStatus | None]:
    """(whether to set the custom status, to what). An explicit `custom_status` wins over a mapped tag;
    with neither, the order keeps the status it has (one set in the console survives a webhook)."""
    if "custom_status" not in data.model_fields_set and not data.tags:
        return False, None  # nothing could set one: no need to read the shop's statuses
    statuses = custom_statuses.of_shop(session, merchant)
    if "custom_status" in data.model_fields_set:
        return True, _resolve_custom_status(statuses, data.custom_status)
    mapped = custom_statuses.from_tags(statuses, data.tags)
    return mapped is not None, mapped


def _resolve_custom_status(statuses: Sequence[CustomStatus], key: str | None) -> CustomStatus | None:
    try:
        return custom_statuses.resolve(statuses, key)
    except custom_statuses.CustomStatusError as exc:
        raise OrderInputError([{"field": f, "message": m} for f, m in exc.errors.items()]) from None


_ITEM_FIELDS = ("title", "variant", "sku", "quantity", "unit_price", "presentment_unit_price", "discount",
                "presentment_discount", "image_url", "product_url", "product_id", "variant_id")
# What the staff timeline keeps of each item when the items change.
_LOGGED_ITEM_FIELDS = ("quantity", "title", "variant", "unit_price", "discount")


def _replace_line_items(session: Session, order: Order, data: OrderIn, amounts: dict[str, int],
                        created: bool, stored: Sequence[Any]) -> list[dict[str, Any]] | None:
    """Write the order's line items unless they are already exactly these (`stored`: the order's
    line items). Returns the items written, or None when they were already these."""
    wanted = [
        {"title": item.title, "variant": item.variant, "sku": item.sku, "quantity": item.quantity,
         "unit_price": amounts[f"item{index}"], "presentment_unit_price": amounts[f"pitem{index}"],
         "discount": amounts[f"discount{index}"], "presentment_discount": amounts[f"pdiscount{index}"],
         "image_url": item.image_url, "product_url": item.product_url, "product_id": item.product_id,
         "variant_id": item.variant_id}
        for index, item in enumerate(data.line_items)
    ]
    if not created:
        if [{name: getattr(item, name) for name in _ITEM_FIELDS} for item in stored] == wanted:
            return None
        writes.delete_line_items(session, order.id)
    writes.insert_rows(session, LineItem, [{"order_id": order.id, "position": index, **item}
                                           for index, item in enumerate(wanted)])
    return wanted


def set_custom_status(session: Session, merchant: Merchant, order: Order, key: str | None,
                      actor: staff_log.Actor = staff_log.PORTAL) -> bool:
    """Set an order's custom status from the console; raises OrderInputError for an unknown key."""
    status = _resolve_custom_status(queries.custom_statuses(session, merchant.id), key)
    previous = order.custom_status
    changed = custom_statuses.apply(session, merchant, order, status)
    if changed:
        staff_log.record(session, order, actor, "updated", {"custom_status": [previous, order.custom_status]})
        notifications.custom_status_set(session, merchant, order, status)
        touch(session, order, ("status", "timeline"), hub.Fact("custom_status", order.custom_status or ""))
    return changed


def revoke_links(session: Session, order: Order, actor: staff_log.Actor = staff_log.PORTAL) -> None:
    order.link_nonce = new_link_nonce()
    staff_log.record(session, order, actor, "link_revoked")
    touch(session, order, (), hub.Fact("link_revoked", ""))


# -- reading orders ------------------------------------------------------------------------

def by_id(session: Session, merchant_id: int, order_id: int) -> Order | None:
    return queries.order_by_id(session, merchant_id, order_id)


def by_number(session: Session, merchant_id: int, number: str) -> Order | None:
    """The shop's order with this number, however it is typed ("#1001", "1001 ")."""
    return queries.order_by_number_key(session, merchant_id, number_key(number))


def search(session: Session, merchant_id: int, query: str = "", filters: dict[str, str] | None = None,
           page: int = 1, per_page: int = 50) -> queries.OrderPage:
    """A page of the shop's orders, newest first, by number, e-mail or external id and by status."""
    return queries.search_orders(session, merchant_id, query, filters, page, per_page)


def staff_timeline(session: Session, order_id: int) -> list[Any]:
    """Every timeline entry of the order, staff-only ones too, newest first."""
    return list(queries.timeline(session, order_id, shopper_only=False))
