"""The whole order for staff (the console's order page) and what staff do there: notes, tags, the
tracking e-mail sent again. Each change lands in the staff timeline with its actor."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from portal import tags as tag_rules
from portal.i18n import gettext
from portal.notify import notifications
from portal.orders import custom_statuses, order_view, staff_log, staff_text, upsert
from portal.orders.order_view import OrderView
from portal.orders.staff_log import Actor
from portal.orders.staff_text import StaffLine
from portal.store import queries
from portal.store.models import CustomStatus, Merchant, Order, utcnow

NOTE_LIMIT = 5000
# Fields whose changes make up the payment and fulfilment history.
_HISTORY_FIELDS = ("payment_status", "fulfillment_status")


class StaffOrderError(ValueError):
    """A staff action refused, with the sentence the console shows (in the active locale)."""


@dataclass
class HistoryLine:
    at: Any
    actor: str
    text: str


@dataclass
class StaffOrder:
    view: OrderView  # items, shipments with all their events, custom statuses
    order: Order
    timeline: list[StaffLine]
    history: list[HistoryLine]
    statuses: list[CustomStatus]
    address: dict[str, str] = field(default_factory=dict)
    source: str = ""  # where the order came from, as the console names it


def _label_of(statuses: Sequence[CustomStatus], merchant: Merchant):
    by_key = custom_statuses.by_key(statuses)
    return lambda key: custom_statuses.label(by_key.get(key), merchant.default_locale)


def load(session: Session, merchant: Merchant, order_id: int) -> StaffOrder | None:
    """Everything staff see of one of the shop's orders; None for no such order in this shop."""
    order = queries.order_by_id(session, merchant.id, order_id)
    if order is None:
        return None
    view = order_view.build(session, merchant, order)
    statuses = custom_statuses.of_merchant(session, merchant.id)
    label = _label_of(statuses, merchant)
    entries = staff_log.entries(session, merchant.id, order.id)
    paid_in = order.presentment_currency or order.currency
    timeline = [staff_text.describe(entry, order.currency, label, paid_in) for entry in entries]
    history = []
    for entry in entries:
        moved = {name: entry.changes[name] for name in _HISTORY_FIELDS if name in entry.changes}
        for text in staff_text.change_lines(moved, order.currency, label, paid_in):
            history.append(HistoryLine(entry.at, staff_text.actor_text(Actor(entry.actor_kind, entry.actor_name)), text))
    address = {key: str(value) for key, value in (order.shipping_address or {}).items() if value}
    return StaffOrder(view, order, timeline, history, statuses, address, staff_text.source_text(order.source))


def _order(session: Session, merchant: Merchant, order_id: int) -> Order | None:
    return queries.order_by_id(session, merchant.id, order_id)


def add_note(session: Session, merchant: Merchant, order_id: int, text: str, actor: Actor) -> bool:
    """A staff note on the order's timeline; False for no such order. Never shown to shoppers."""
    order = _order(session, merchant, order_id)
    if order is None:
        return False
    note = text.strip()
    if not note:
        raise StaffOrderError(gettext("Write the note first."))
    if len(note) > NOTE_LIMIT:
        raise StaffOrderError(gettext("A note can be at most %(limit)d characters long.") % {"limit": NOTE_LIMIT})
    staff_log.record(session, order, actor, "note", note=note)
    return True


def tag_problem(exc: tag_rules.TagError) -> str:
    """A refused tag list in the active locale (the console's tag form and its CSV import)."""
    if not exc.tag:
        return gettext("An order can have at most %(limit)d tags; this list has %(count)d.") % {
            "limit": tag_rules.MAX_TAGS, "count": exc.count}
    return gettext("The tag “%(tag)s” is longer than %(limit)d characters.") % {
        "tag": exc.tag, "limit": tag_rules.MAX_TAG_LENGTH}


def set_tags(session: Session, merchant: Merchant, order_id: int, text: str, actor: Actor) -> bool:
    """Replace the order's tags with the comma-separated `text`; False for no such order. A tag over
    the limit refuses the whole change (nothing is saved)."""
    order = _order(session, merchant, order_id)
    if order is None:
        return False
    try:
        wanted = tag_rules.clean(text.split(","))
    except tag_rules.TagError as exc:
        raise StaffOrderError(tag_problem(exc)) from None
    if wanted != list(order.tags or []):
        staff_log.record(session, order, actor, "updated", {"tags": [list(order.tags or []), wanted]})
        order.tags = wanted
        order.updated_at = utcnow()
        session.add(order)
    return True


def set_custom_status(session: Session, merchant: Merchant, order_id: int, key: str, actor: Actor) -> bool:
    """upsert.set_custom_status() from the console's form ("" clears it); False for no such order."""
    order = _order(session, merchant, order_id)
    if order is None:
        return False
    upsert.set_custom_status(session, merchant, order, key.strip()[:64] or None, actor)
    return True


def resend_tracking_email(session: Session, merchant: Merchant, order_id: int, actor: Actor) -> str | None:
    """Queue the order's tracking e-mail (its link, its latest parcel) again through the outbox;
    the address it goes to, or None for no such order. Refused when it cannot be sent."""
    order = _order(session, merchant, order_id)
    if order is None:
        return None
    if not order.email:
        raise StaffOrderError(gettext("This order has no e-mail address."))
    if order.email_opt_out_at is not None:
        raise StaffOrderError(gettext("The shopper unsubscribed from e-mails about this order."))
    parcels = queries.shipments(session, order.id)
    latest = max(parcels, key=lambda s: (s.created_at, s.id), default=None)
    # Each resend is a new message: its dedupe key is new every time.
    notifications.tracking_link(session, merchant, order, latest.id if latest else None,
                                f"order:{order.id}:tracking-link:{secrets.token_hex(8)}")
    staff_log.record(session, order, actor, "email_queued", {"to": order.email})
    return order.email
