"""Which changes e-mail the shopper, and queuing them in the outbox inside the change's transaction.

orders.py calls these where a change happens (a shipment created, its status moved, a custom status
set), so the e-mail is committed with the change or not at all. Sending is the worker's job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from portal.i18n.labels import N_
from portal.links import LinkSigner
from portal.settings import Settings
from portal.store import outbox, queries
from portal.store.models import CustomStatus, Merchant, Order, Shipment, utcnow
from portal.store.records import OutboxMessage
from portal.store.parcels import Parcel, TrackedOrder

# Notifications a merchant can switch off, in the console's order. All are on by default.
SWITCHES: tuple[str, ...] = ("shipped", "out_for_delivery", "delivered", "exception", "custom_status")
# Translated when shown (the console's language).
SWITCH_LABELS = {
    "shipped": N_("A shipment is on its way"),
    "out_for_delivery": N_("Out for delivery"),
    "delivered": N_("Delivered"),
    "exception": N_("Delivery problem"),
    "custom_status": N_("Custom statuses that ask for an e-mail"),
}
# A shipment reaching one of these statuses is worth an e-mail of the same name.
_STATUS_KIND = {"out_for_delivery": "out_for_delivery", "delivered": "delivered", "exception": "exception"}
# The tracking link sent again from the console (not a switch: staff ask for it).
TRACKING_LINK = "tracking_link"
# The sample a merchant sends to themselves from the console.
TEST = "test"
# Older news is history (an import, a late backfill), not something to e-mail about today.
STALE_AFTER = timedelta(days=2)
SETTINGS_KEY = "notifications"
# Unsubscribe links are signed apart from tracking links: revoking a tracking link keeps them working.
UNSUBSCRIBE_NONCE = "unsubscribe"


def unsubscribe_signer(settings: Settings) -> LinkSigner:
    return LinkSigner(settings.resolved_secret_key, salt="portal.unsubscribe")


def enabled(merchant: Merchant, kind: str) -> bool:
    return bool((merchant.settings or {}).get(SETTINGS_KEY, {}).get(kind, True))


def switch_settings(merchant: Merchant, on: set[str]) -> dict[str, Any]:
    """The merchant's settings with each switch set; a new dict, so the JSON column sees the change."""
    settings = dict(merchant.settings or {})
    settings[SETTINGS_KEY] = {kind: kind in on for kind in SWITCHES}
    return settings


def _message(merchant: Merchant, order: Order | TrackedOrder, kind: str, dedupe_key: str, at: datetime | None,
             params: dict[str, Any]) -> dict[str, Any] | None:
    if not order.email or order.email_opt_out_at is not None or not enabled(merchant, kind):
        return None
    if at is not None and at < utcnow() - STALE_AFTER:
        return None
    return outbox.message(merchant.id, order.id, kind, order.email, dedupe_key, params)


def _queue(session: Session, row: dict[str, Any] | None) -> bool:
    """Queue one message, if there is one; True when it was new."""
    return row is not None and outbox.queue(session, [row]) == 1


def shipment_message(merchant: Merchant, order: Order | TrackedOrder, shipment: Shipment | Parcel,
                     old_status: str | None) -> dict[str, Any] | None:
    """The e-mail a new shipment (`old_status` None) or a status it moved to is worth, as an outbox
    row for outbox.queue(), or None.

    Each shipment sends each kind at most once: a carrier repeating "delivered" mails nobody twice.
    """
    if old_status is not None and old_status == shipment.status:
        return None
    kind = _STATUS_KIND.get(shipment.status)
    if kind is None:
        if old_status is not None:
            return None  # in transit, info received, ...: the shopper learns these on the page
        kind = "shipped"
    when = {"shipped": shipment.shipped_at, "delivered": shipment.delivered_at}.get(kind)
    return _message(merchant, order, kind, f"shipment:{shipment.id}:{kind}", when, {"shipment_id": shipment.id})


def shipment_changed(session: Session, merchant: Merchant, order: Order, shipment: Shipment,
                     old_status: str | None) -> bool:
    """Queue the e-mail shipment_message() picks, if any; True when it was new."""
    return _queue(session, shipment_message(merchant, order, shipment, old_status))


def custom_status_set(session: Session, merchant: Merchant, order: Order,
                      status: CustomStatus | None) -> bool:
    if status is None or not status.send_email or not status.visible_to_shopper:
        return False
    return _queue(session, _message(merchant, order, "custom_status", f"order:{order.id}:custom:{status.key}", None,
                                    {"key": status.key}))


def tracking_link(session: Session, merchant: Merchant, order: Order, shipment_id: int | None,
                  dedupe_key: str) -> bool:
    """The order's tracking link e-mailed again, asked for by staff: not subject to the switches
    (which say what changes e-mail by themselves), only to the shopper's unsubscribe."""
    if not order.email or order.email_opt_out_at is not None:
        return False
    params = {"shipment_id": shipment_id} if shipment_id else {}
    return _queue(session, outbox.message(merchant.id, order.id, TRACKING_LINK, order.email, dedupe_key, params))


def queue_test(session: Session, merchant: Merchant, recipient: str) -> bool:
    """A sample e-mail to the merchant's own address; it ignores the switches."""
    return _queue(session, outbox.message(merchant.id, None, TEST, recipient, f"test:{utcnow().isoformat()}",
                                          {"sample": "shipped"}))


def recent(session: Session, merchant_id: int) -> tuple[list[OutboxMessage], dict[int, str]]:
    """The shop's latest e-mails, and the number of each one's order by order id."""
    messages = list(outbox.recent(session, merchant_id))
    orders = (queries.order_by_id(session, merchant_id, m.order_id) for m in messages if m.order_id)
    return messages, {order.id: order.number for order in orders if order is not None}


def save_switches(session: Session, merchant_id: int, on: set[str]) -> None:
    merchant = queries.merchant_by_id(session, merchant_id)
    if merchant is not None:
        merchant.settings = switch_settings(merchant, on)
        merchant.version += 1
        session.add(merchant)


def queue_test_to_user(session: Session, merchant: Merchant, user_id: int) -> bool:
    """queue_test() to a console user of the shop; False for anyone else."""
    user = queries.user_by_id(session, merchant.id, user_id)
    return user is not None and queue_test(session, merchant, user.email)


def order_to_unsubscribe(session: Session, merchant_id: int, public_id: str) -> Order | None:
    return queries.order_by_public_id(session, merchant_id, public_id)


def unsubscribe(session: Session, order: Order) -> None:
    """No more e-mails about the order, queued ones included."""
    if order.email_opt_out_at is None:
        order.email_opt_out_at = utcnow()
        session.add(order)
        outbox.skip_pending_for_order(session, order.merchant_id, order.id, "the shopper unsubscribed")
