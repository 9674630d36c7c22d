"""Order service: upserts from the API (and later platforms), shipments, tracking events.

Everything for one order happens in one transaction: it is written whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from portal import carriers, custom_statuses, live, money, notifications, timestamps
from portal.links import new_link_nonce, new_public_id
from portal.schemas import EventIn, OrderIn, ShipmentIn
from portal.statuses import shipment_step
from portal.store import queries
from portal.store.db import LATER, ReadyRow, Writes, begin_writing, insert_object, insert_rows, ready_row, writes
from portal.store.models import (
    CustomStatus,
    LineItem,
    Merchant,
    Order,
    Shipment,
    ShipmentItem,
    TimelineEntry,
    TrackingEvent,
    utcnow,
)


class OrderInputError(ValueError):
    """Input that passed the shape checks but not the business rules; `errors` names each field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


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


def tracking_key(number: str | None) -> str | None:
    key = carriers.normalise_number(number or "")
    return key or None


# -- upsert --------------------------------------------------------------------------------

ORDER_TOTAL_FIELDS = ("subtotal", "shipping", "tax", "discounts", "total")
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


def _locked_targets(session: Session, merchant_id: int, source: str, external_id: str | None,
                    key: str) -> tuple[Order | None, Order | None]:
    """queries.upsert_targets, read where no other process can change them before the commit
    (an API call or an import row, not the webhook path, which reads before it waits for the
    write lock: ingest.OrderChange): SQLite's write transaction begun, PostgreSQL's rows locked."""
    begin_writing(session)
    found = queries.upsert_targets(session, merchant_id, source, external_id, key)
    lock_orders(session, found)
    return found


def lock_orders(session: Session, orders: Iterable[Order | None]) -> bool:
    """Orders read before or after db.begin_writing, kept as they are to the commit where the
    database locks rows rather than itself (PostgreSQL: each row read again FOR UPDATE), and
    made current if another worker changed them since they were loaded (their version moved).
    Returns whether one had changed."""
    moved = False
    for order in {order.id: order for order in orders if order is not None}.values():
        if queries.order_version(session, order.id) != order.version:
            session.refresh(order)
            moved = True
    return moved


def stored_order(session: Session, order: Order | None) -> StoredOrder | None:
    """The order's line items and parcels (None for no order): what an update compares with. The
    webhook path reads them before its transaction takes SQLite's write lock, held to the commit
    while every other writer waits (reading them under it doubled the lock's hold for an update);
    ingest.OrderChange then checks the order's version under the lock."""
    if order is None:
        return None
    return StoredOrder(queries.line_item_rows(session, order.id), list(queries.shipments(session, order.id)))


def _amounts(data: OrderIn) -> dict[str, int]:
    """Convert every amount to minor units, collecting every precision error at once."""
    errors: list[dict[str, str]] = []
    values: dict[str, int] = {}
    presentment = data.presentment_currency or data.currency
    presentment_totals = data.presentment_totals or (data.totals if presentment == data.currency else None)
    if presentment_totals is None:
        errors.append({"field": "presentment_totals", "message": "required when presentment_currency differs from currency"})

    def convert(field: str, amount: str, currency: str) -> int:
        try:
            return money.to_minor(amount, currency)
        except money.MoneyError as exc:
            errors.append({"field": field, "message": str(exc)})
            return 0

    for name in ORDER_TOTAL_FIELDS:
        values[name] = convert(f"totals.{name}", getattr(data.totals, name), data.currency)
        if presentment_totals is data.totals:  # the same amounts: one error each is enough
            values[f"presentment_{name}"] = values[name]
        elif presentment_totals is not None:
            values[f"presentment_{name}"] = convert(
                f"presentment_totals.{name}", getattr(presentment_totals, name), presentment
            )
    for index, item in enumerate(data.line_items):
        values[f"item{index}"] = convert(f"line_items.{index}.unit_price", item.unit_price, data.currency)
        if item.presentment_unit_price is None and presentment != data.currency:
            errors.append({
                "field": f"line_items.{index}.presentment_unit_price",
                "message": "required when presentment_currency differs from currency",
            })
        elif item.presentment_unit_price is not None:
            values[f"pitem{index}"] = convert(
                f"line_items.{index}.presentment_unit_price", item.presentment_unit_price, presentment
            )
        else:
            values[f"pitem{index}"] = values[f"item{index}"]
    if errors:
        raise OrderInputError(errors)
    return values


@dataclass
class NewOrder:
    """A new order worked out before anything is written: its row ready to INSERT (its values
    through their bind processors), and its timeline and line items waiting only for its id
    (`batch`, run with order_id). A platform's delivery plans it while it reads ahead
    (ingest.OrderChange), before its group's first write takes SQLite's write lock: the next
    deliveries of a group did this work while the first one's INSERT held the lock."""
    row: ReadyRow
    batch: Writes
    amounts: dict[str, int]
    custom_status: tuple[bool, CustomStatus | None]  # _wanted_custom_status


def plan_new_order(session: Session, merchant: Merchant, data: OrderIn, source: str = "api",
                   columns: dict[str, Any] | None = None, amounts: dict[str, int] | None = None,
                   custom_status: tuple[bool, CustomStatus | None] | None = None) -> NewOrder:
    """What creating `data` writes (see NewOrder); `amounts` and `custom_status`, if the caller
    worked them out already. Reads only the shop's custom statuses."""
    amounts = amounts if amounts is not None else _amounts(data)
    custom_status = custom_status if custom_status is not None else _wanted_custom_status(session, merchant, data)
    now = utcnow()
    values = _order_values(data, None, source, amounts, columns, now)
    values.setdefault("placed_at", now)
    values.setdefault("raw_statuses", {})
    values.update(merchant_id=merchant.id, public_id=new_public_id(), link_nonce=new_link_nonce())
    batch = Writes(session)
    unsaved = SimpleNamespace(**values, id=LATER)
    _status_timeline(session, unsaved, {}, values["placed_at"], bool(data.shipments), True, batch)
    _replace_line_items(session, unsaved, data, amounts, True, batch)
    return NewOrder(ready_row(session, Order.__table__, values), batch, amounts, custom_status)  # type: ignore[attr-defined]


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
                 new: NewOrder | None = None) -> UpsertResult:
    """Create or update an order by merchant + external id, else by number. `found`: what the caller
    already looked up with queries.upsert_targets (saves a query); `stored`: stored_order() of the
    order found, if the caller read it; `new`: plan_new_order() of `data`, if the caller planned
    it (used when nothing was found). `columns`: more Order columns to write with it (a
    platform's raw statuses and version time)."""
    # Worked out before _locked_targets, which takes the write lock when the caller found nothing.
    amounts = new.amounts if new else _amounts(data)
    explicit, wanted = new.custom_status if new else _wanted_custom_status(session, merchant, data)
    by_external_id, by_number = found or _locked_targets(session, merchant.id, source, data.external_id,
                                                         number_key(data.number))
    order = by_external_id or by_number
    created = order is None
    if order is None:
        # One Core INSERT: constructing an Order through its model and flushing it costs about four
        # times more (webhooks are the hot path). Its timeline and line items are worked out
        # first and wait only for its id: its INSERT takes SQLite's write lock, held to the commit.
        new = new or plan_new_order(session, merchant, data, source, columns, amounts, (explicit, wanted))
        before: dict[str, Any] = {}
        order = insert_object(session, Order, new.row)
        new.batch.run(order_id=order.id)
        stored_items, shipments = (), []  # its line items went with its INSERT; no shipments yet
    else:
        now = utcnow()
        values = _order_values(data, order, source, amounts, columns, now)
        before = _state(order, _ORDER_VOLATILE)
        stored = stored or stored_order(session, order)
        stored_items, shipments = stored.items, list(stored.shipments)
        _write_columns(session, order, values)
        _status_timeline(session, order, before, now, bool(data.shipments))

    if explicit and custom_statuses.apply(session, merchant, order, wanted):
        notifications.custom_status_set(session, merchant, order, wanted)
    changed = created or _replace_line_items(session, order, data, amounts, stored=stored_items)
    for shipment in data.shipments:
        changed = _save_shipment(session, merchant, order, shipment, shipments)[1] or changed
    settle_delivery(session, order, shipments)
    # A re-delivered webhook or a re-imported file must not look like news: no version bump.
    changed = changed or _state(order, _ORDER_VOLATILE) != before
    if changed and not created:
        touch(session, order, live.PANELS, *(live.Fact(name, getattr(order, name)) for name in STATUS_FIELDS
                                             if before.get(name) != getattr(order, name)))
    elif changed:
        live.record(session, order, live.PANELS)
    return UpsertResult(order=order, created=created, changed=changed)


_COLUMN_UPDATES: dict[tuple[str, ...], Any] = {}


def _write_columns(session: Session, order: Order, values: dict[str, Any]) -> None:
    """Write an order's columns with one prepared UPDATE when any of `values` differs from what
    it has, and tell the loaded object (no pending change left on it): the unit of work's flush
    of the same change cost an update delivery about 8% more CPU. The statement sets every
    column of `values`, so there is one per code path's set of columns, made once."""
    if all(getattr(order, name) == value for name, value in values.items()):
        return
    keys = tuple(sorted(values))
    statement = _COLUMN_UPDATES.get(keys)
    if statement is None:
        table = Order.__table__  # type: ignore[attr-defined]
        statement = _COLUMN_UPDATES[keys] = (
            update(table).where(table.c.id == bindparam("order_id"))
            .values({key: bindparam(f"new_{key}") for key in keys}))
    session.flush()  # a change still pending on the order must not be written after this one
    with writes(session) as burst:
        burst.execute(statement, [{"order_id": order.id, **{f"new_{key}": value for key, value in values.items()}}])
    _tell(order, **values)


def _status_timeline(session: Session, order: Any, before: dict[str, str], at: datetime,
                     has_shipments: bool = False, placed: bool = False, batch: Writes | None = None) -> None:
    """A timeline entry for each status that changed (every set one, when `before` is empty), after
    the "placed" entry of a new order: one statement for all of them (added to `batch` if given)."""
    rows = [_timeline_row(order, "placed", order.placed_at)] if placed else []
    for name in STATUS_FIELDS:
        value = getattr(order, name)
        if before.get(name) != value and (name, value) in _TIMELINE_KINDS:
            kind = _TIMELINE_KINDS[(name, value)]
            if name == "fulfillment_status" and kind != "on_hold" and has_shipments:
                continue  # the shipments' own "shipped" entries say it, with the real time
            params = {"reason": order.cancel_reason} if kind == "cancelled" and order.cancel_reason else {}
            rows.append(_timeline_row(order, kind, at, params))
    with writes(session, batch) as queued:
        queued.insert(TimelineEntry.__table__, rows)


def change_statuses(session: Session, order: Order, changes: dict[str, str], at: datetime | None = None) -> bool:
    """Change some of an order's statuses (a refund, a return step) with their timeline entries."""
    before = {name: getattr(order, name) for name in STATUS_FIELDS}
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(order, name, value)
    _status_timeline(session, order, before, at or utcnow())
    touch(session, order, ("status", "timeline"), *(live.Fact(n, v) for n, v in changed.items()))
    session.flush()
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


# Columns that record when something changed rather than what (and a platform's raw statuses,
# which only staff see): left out of change detection.
_ORDER_VOLATILE = frozenset({"version", "updated_at", "source_updated_at", "raw_statuses"})
_SHIPMENT_VOLATILE = frozenset({"updated_at"})


def _state(row: Any, volatile: frozenset[str]) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in volatile}


_ITEM_FIELDS = ("title", "variant", "sku", "quantity", "unit_price", "presentment_unit_price", "image_url")


def _replace_line_items(session: Session, order: Any, data: OrderIn, amounts: dict[str, int],
                        created: bool = False, batch: Writes | None = None,
                        stored: Sequence[Any] | None = None) -> bool:
    """Write the order's line items unless they are already exactly these (added to `batch` if
    given). `stored`: the order's line items, if the caller read them already. Returns whether
    they changed."""
    wanted = [
        {"title": item.title, "variant": item.variant, "sku": item.sku, "quantity": item.quantity,
         "unit_price": amounts[f"item{index}"], "presentment_unit_price": amounts[f"pitem{index}"],
         "image_url": item.image_url}
        for index, item in enumerate(data.line_items)
    ]
    if not created:
        stored = queries.line_item_rows(session, order.id) if stored is None else stored
        current = [{name: getattr(item, name) for name in _ITEM_FIELDS} for item in stored]
        if current == wanted:
            return False
        session.exec(delete(LineItem).where(LineItem.order_id == order.id))  # type: ignore[call-overload]
    with writes(session, batch) as queued:  # one statement for all of them
        queued.insert(LineItem.__table__, [{"order_id": order.id, "position": index, **item}
                                           for index, item in enumerate(wanted)])
    return True


def _timeline_row(order: Order, kind: str, at: datetime, params: dict[str, Any] | None = None,
                  visible: bool = True) -> dict[str, Any]:
    return {"order_id": order.id, "at": at, "kind": kind, "params": params or {}, "visible_to_shopper": visible}


def _timeline(session: Session, order: Order, kind: str, at: datetime, params: dict[str, Any] | None = None,
              visible: bool = True) -> None:
    insert_rows(session, TimelineEntry.__table__, [_timeline_row(order, kind, at, params, visible)])


def upsert_shipment(session: Session, merchant: Merchant, order: Order, data: ShipmentIn, bump: bool = True) -> Shipment:
    """Add a shipment to an order, or update the one with the same tracking number / external id."""
    shipment, changed = _save_shipment(session, merchant, order, data)
    if changed and bump:
        settle_delivery(session, order)
        touch(session, order, live.SHIPPING_PANELS)
    return shipment


def _save_shipment(session: Session, merchant: Merchant, order: Order, data: ShipmentIn,
                   shipments: list[Shipment] | None = None) -> tuple[Shipment, bool]:
    """Create or update one shipment. `shipments`: the order's shipments, when the caller has them
    (a new one is appended)."""
    key = tracking_key(data.tracking_number)
    shipment = None
    for existing in queries.shipments(session, order.id) if shipments is None else shipments:
        if (key and existing.tracking_key == key) or (data.external_id and existing.external_id == data.external_id):
            shipment = existing
            break
    match = carriers.detect(data.tracking_number, data.carrier, data.tracking_url) if data.tracking_number else None
    now = utcnow()
    created = shipment is None
    if shipment is None:
        shipment = Shipment(order_id=order.id, merchant_id=merchant.id, created_at=now, updated_at=now)
        if shipments is not None:
            shipments.append(shipment)
    before = _state(shipment, _SHIPMENT_VOLATILE)
    status_before = None if created else shipment.status
    shipment.external_id = data.external_id or shipment.external_id
    if data.tracking_number:
        shipment.tracking_number = data.tracking_number.strip()
        shipment.tracking_key = key
    if match is not None:
        shipment.carrier = match.carrier or (data.carrier or None)
        shipment.carrier_name = match.carrier_name or data.carrier
        shipment.tracking_url = match.tracking_url
    elif data.carrier:
        shipment.carrier = carriers.carrier_code(data.carrier) or data.carrier
        shipment.carrier_name = carriers.carrier_display_name(shipment.carrier) if carriers.carrier_code(data.carrier) else data.carrier
        shipment.tracking_url = data.tracking_url
    if data.status and (created or not _carrier_went_further(session, shipment, data.status)):
        shipment.status = data.status
        if data.status == "delivered" and shipment.delivered_at is None:
            shipment.delivered_at = max((e.at for e in data.events if e.status == "delivered"), default=now)
    shipment.shipped_at = data.shipped_at or shipment.shipped_at or (now if created else None)
    if data.estimated_delivery:
        shipment.estimated_delivery = data.estimated_delivery
        shipment.estimated_delivery_end = data.estimated_delivery_end
    changed = created or _state(shipment, _SHIPMENT_VOLATILE) != before
    if changed:
        shipment.updated_at = now
    session.add(shipment)
    session.flush()
    if created:
        _timeline(session, order, "shipped", shipment.shipped_at or now,
                  {"carrier": shipment.carrier_name or "", "tracking_number": shipment.tracking_number or ""})
    added = record_events(session, [(shipment, event, None) for event in data.events],
                          derive_status=data.status is None)
    changed = changed or any(added)
    if changed:
        facts = [live.Fact("shipment_created", shipment.status, shipment.id)] if created else []
        if status_before is not None and shipment.status != status_before:
            facts.append(live.Fact("shipment_status", shipment.status, shipment.id))
        live.record(session, order, live.SHIPPING_PANELS, *facts)
        notifications.shipment_changed(session, merchant, order, shipment, status_before)
    return shipment, changed


def _carrier_went_further(session: Session, shipment: Shipment, status: str) -> bool:
    """Whether the parcel's own latest tracking event is further along than `status`, a status a
    platform or file states for it. Then the stated one is old news: platforms pass carrier news
    on late (an order update still says "in transit" after the carrier said "delivered"), and a
    file imported again says what it said the first time."""
    if shipment_step(status) >= shipment_step(shipment.status):
        return False
    ceiling = timestamps.ceiling()
    stored = queries.event_keys(session, [shipment.id])
    latest = max((_rank(at, event_status, ceiling) for _, at, event_status in stored), default=None)
    if latest is None or not latest[0]:  # no events, or none in the accepted range
        return False
    return latest[2] > shipment_step(status)


def _rank(at: datetime, status: str, ceiling: datetime) -> tuple[bool, datetime, int, str]:
    """Which of a parcel's events is its latest: the later one; at the same instant, the one
    further along (delivered beats out for delivery). An event outside the accepted range (stored
    before it existed) comes before every one inside it, so it cannot pin the parcel's status."""
    return timestamps.counts(at, ceiling), at, shipment_step(status), status


# -- tracking events -----------------------------------------------------------------------

# A shipment is an ORM object (one order's events) or a plain row (a bulk of carrier events).
EventItem = tuple["Shipment | queries.Parcel", EventIn, "dict[str, Any] | None"]


def record_events(session: Session, items: list[EventItem], derive_status: bool = True,
                  batch: Writes | None = None) -> list[bool]:
    """Store events in one statement, skipping any already stored for that shipment at that time with
    that status. `derive_status` moves each shipment to its latest event. Returns, per item, whether
    it was new. The caller settles and touches the orders concerned. With `batch`, the writes are
    added to it (the shipments are told their new status at once)."""
    if not items:
        return []
    shipments = {shipment.id: shipment for shipment, _, _ in items}
    moments = [event.at.astimezone(timezone.utc) for _, event, _ in items]
    now = utcnow()
    ceiling = timestamps.ceiling(now)
    seen = queries.event_keys(session, list(shipments), min(moments), max(moments), ceiling)
    rows: list[dict[str, Any]] = []
    added: list[bool] = []
    for shipment, event, raw in items:
        at = event.at.astimezone(timezone.utc)
        key = (shipment.id, at, event.status)
        added.append(key not in seen)
        if key in seen:
            continue
        seen.add(key)
        rows.append({
            "shipment_id": shipment.id, "at": at, "status": event.status, "substatus": event.substatus,
            "message": event.message, "location": event.location,
            "raw": raw if raw is not None else event.model_dump(mode="json"),
        })
    moved: list[dict[str, Any]] = []
    if rows and derive_status:
        latest: dict[int, tuple[bool, datetime, int, str]] = {}  # the latest event sets the status
        for shipment_id, at, status in seen:
            rank = _rank(at, status, ceiling)
            if shipment_id in shipments and (shipment_id not in latest or rank > latest[shipment_id]):
                latest[shipment_id] = rank
        for shipment_id in sorted({row["shipment_id"] for row in rows}):
            shipment = shipments[shipment_id]
            _, at, _, status = latest[shipment_id]
            moved.append({"shipment_id": shipment_id, "status": status,
                          "delivered_at": at if status == "delivered" else shipment.delivered_at})
    with writes(session, batch) as burst:
        burst.insert(TrackingEvent.__table__, rows)
        _move_shipments(session, [shipments[row["shipment_id"]] for row in moved], moved, now, burst)
    return added


_MOVE_SHIPMENT = (
    update(Shipment.__table__)  # type: ignore[arg-type]
    .where(Shipment.__table__.c.id == bindparam("shipment_id"))  # type: ignore[attr-defined]
    .values(status=bindparam("status"), delivered_at=bindparam("delivered_at"), updated_at=bindparam("updated_at"))
)


def _move_shipments(session: Session, shipments: list[Shipment | queries.Parcel], values: list[dict[str, Any]],
                    now: datetime, batch: Writes) -> None:
    """New statuses for many shipments in one executemany UPDATE (the unit of work would split it
    by which columns changed, often into one statement per parcel); the loaded objects are told."""
    if not values:
        return
    session.flush()  # anything pending on them goes first
    batch.execute(_MOVE_SHIPMENT, values, updated_at=now)
    for shipment, row in zip(shipments, values):
        _tell(shipment, status=row["status"], delivered_at=row["delivered_at"], updated_at=now)


def _tell(loaded: Any, **values: Any) -> None:
    """Tell a loaded object what a Core statement just wrote: an ORM object as its committed state
    (no UPDATE left pending), a plain row (queries.Parcel, TrackedOrder) by its attributes."""
    setter = set_committed_value if hasattr(loaded, "_sa_instance_state") else setattr
    for name, value in values.items():
        setter(loaded, name, value)


def add_events(session: Session, order: Order, shipment: Shipment, events: list[EventIn],
               derive_status: bool = True, bump: bool = True) -> int:
    """Store a shipment's tracking events, skipping ones already stored (same time and status).
    Returns how many were new."""
    status_before = shipment.status
    added = sum(record_events(session, [(shipment, event, None) for event in events], derive_status))
    if added:
        facts = [live.Fact("shipment_status", shipment.status, shipment.id)] if shipment.status != status_before else []
        live.record(session, order, live.SHIPPING_PANELS, *facts)
        merchant = session.get(Merchant, order.merchant_id)
        if merchant is not None:
            notifications.shipment_changed(session, merchant, order, shipment, status_before)
    if added and bump:
        settle_delivery(session, order)
        touch(session, order, live.SHIPPING_PANELS)
    session.flush()
    return added


def settle_delivery(session: Session, order: Order, shipments: list[Shipment] | None = None) -> bool:
    """When every shipment of an order is delivered, the order counts as fulfilled (a carrier's
    word beats a platform that never sent the update). Returns whether the order changed."""
    if shipments is None:
        shipments = list(queries.shipments(session, order.id))
    if not settles(order, shipments):
        return False
    order.fulfillment_status = "fulfilled"
    session.add(order)
    return True


def settles(order: Order | queries.TrackedOrder, shipments: Sequence[Shipment | queries.Parcel]) -> bool:
    """Whether the order is now fulfilled by its parcels (settle_delivery). A partially fulfilled
    order still has items to ship, so it stays as it is."""
    return all_delivered(shipments) and order.fulfillment_status not in ("fulfilled", "partially_fulfilled")


_SETTLE = (
    update(Order.__table__)  # type: ignore[arg-type]
    .where(Order.__table__.c.id == bindparam("order_id"))  # type: ignore[attr-defined]
    .values(fulfillment_status="fulfilled")
)


def settle_many(batch: Writes, orders: list[queries.TrackedOrder]) -> None:
    """settle_delivery() for the plain rows of a bulk of carrier events, in one executemany UPDATE."""
    if orders:
        batch.execute(_SETTLE, [{"order_id": order.id} for order in orders])
        for order in orders:
            _tell(order, fulfillment_status="fulfilled")


def all_delivered(shipments: Sequence[Shipment | queries.Parcel]) -> bool:
    return bool(shipments) and all(s.status == "delivered" for s in shipments)


def fulfillment_display(order: Order, shipments: Sequence[Shipment]) -> str:
    """What the shopper's "Shipping" badge says: "delivered" once every parcel has arrived."""
    if order.fulfillment_status == "fulfilled" and all_delivered(shipments):
        return "delivered"
    return order.fulfillment_status


_TOUCH = (
    update(Order.__table__)  # type: ignore[arg-type]
    .where(Order.__table__.c.id == bindparam("order_id"))  # type: ignore[attr-defined]
    .values(version=Order.__table__.c.version + 1, updated_at=bindparam("now"))  # type: ignore[attr-defined]
)


def touch_many(session: Session, touched: Sequence[tuple[Order | queries.TrackedOrder, list[live.Fact]]],
               panels: Iterable[str], batch: Writes | None = None) -> None:
    """Bump each order's version and announce it with its facts (after commit): no change goes
    unannounced. One executemany UPDATE (a bulk of carrier events moves hundreds); the version is
    counted up in SQL, so a writer that read the order earlier cannot repeat a version. With
    `batch`, the UPDATE is added to it."""
    if not touched:
        return
    now = utcnow()
    session.flush()  # anything pending on them goes first
    with writes(session, batch) as burst:
        burst.execute(_TOUCH, [{"order_id": order.id} for order, _ in touched], now=now)
    panels = tuple(panels)
    for order, facts in touched:
        _tell(order, version=order.version + 1, updated_at=now)
        live.record(session, order, panels, *facts)


def touch(session: Session, order: Order, panels: Iterable[str] = live.PANELS, *facts: live.Fact) -> None:
    """touch_many() for one order."""
    touch_many(session, [(order, list(facts))], panels)


def set_custom_status(session: Session, merchant: Merchant, order: Order, key: str | None) -> bool:
    """Set an order's custom status from the console; raises OrderInputError for an unknown key."""
    status = _resolve_custom_status(queries.custom_statuses(session, merchant.id), key)
    changed = custom_statuses.apply(session, merchant, order, status)
    if changed:
        notifications.custom_status_set(session, merchant, order, status)
        touch(session, order, ("status", "timeline"), live.Fact("custom_status", order.custom_status or ""))
    return changed


def remove_shipments(session: Session, order: Order, external_ids: Collection[str],
                     shipments: Sequence[Shipment] | None = None) -> int:
    """Drop shipments the platform cancelled (by their external id), with their tracking events.
    `shipments`: the order's, if the caller read them already."""
    stored = queries.shipments(session, order.id) if shipments is None else shipments
    doomed = [s.id for s in stored if s.external_id in external_ids]
    if not doomed:
        return 0
    for table in (TrackingEvent, ShipmentItem):
        session.exec(delete(table).where(col(table.shipment_id).in_(doomed)))  # type: ignore[call-overload]
    session.exec(delete(Shipment).where(col(Shipment.id).in_(doomed)))  # type: ignore[call-overload]
    touch(session, order, live.SHIPPING_PANELS)
    session.flush()
    return len(doomed)


def revoke_links(session: Session, order: Order) -> None:
    order.link_nonce = new_link_nonce()
    touch(session, order, (), live.Fact("link_revoked", ""))


# -- JSON out ------------------------------------------------------------------------------

def order_json(session: Session, order: Order, tracking_link: str | None = None) -> dict[str, Any]:
    shipments = queries.shipments(session, order.id)
    events = queries.events_for(session, [s.id for s in shipments])
    pc = order.presentment_currency

    def totals(prefix: str, currency: str) -> dict[str, str]:
        return {n: money.to_string(getattr(order, prefix + n), currency) for n in ORDER_TOTAL_FIELDS}

    return {
        "number": order.number,
        "external_id": order.external_id,
        "source": order.source,
        "email": order.email,
        "phone": order.phone,
        "postal_code": order.postal_code,
        "placed_at": order.placed_at.isoformat(),
        "locale": order.locale,
        "status": order.status,
        "cancel_reason": order.cancel_reason,
        "payment_status": order.payment_status,
        "fulfillment_status": order.fulfillment_status,
        "return_status": order.return_status,
        "custom_status": order.custom_status,
        "currency": order.currency,
        "presentment_currency": pc,
        "totals": totals("", order.currency),
        "presentment_totals": totals("presentment_", pc),
        "line_items": [
            {
                "title": i.title, "variant": i.variant, "sku": i.sku, "quantity": i.quantity,
                "unit_price": money.to_string(i.unit_price, order.currency),
                "presentment_unit_price": money.to_string(i.presentment_unit_price, pc),
                "image_url": i.image_url,
            }
            for i in queries.line_items(session, order.id)
        ],
        "shipments": [
            {
                "id": s.id, "external_id": s.external_id, "carrier": s.carrier, "carrier_name": s.carrier_name,
                "tracking_number": s.tracking_number, "tracking_url": s.tracking_url, "status": s.status,
                "shipped_at": s.shipped_at.isoformat() if s.shipped_at else None,
                "estimated_delivery": s.estimated_delivery.isoformat() if s.estimated_delivery else None,
                "estimated_delivery_end": s.estimated_delivery_end.isoformat() if s.estimated_delivery_end else None,
                "events": [
                    {"at": e.at.isoformat(), "status": e.status, "substatus": e.substatus,
                     "message": e.message, "location": e.location}
                    for e in events if e.shipment_id == s.id
                ],
            }
            for s in shipments
        ],
        "shipping_address": order.shipping_address or None,
        "tags": order.tags,
        "note": order.note,
        "customer_id": order.customer_id,
        "guest_id": order.guest_id,
        "order_status_url": order.order_status_url,
        "tracking_link": tracking_link,
        "version": order.version,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
    }
