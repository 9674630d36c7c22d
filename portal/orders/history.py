"""Order history by e-mail link: a shopper asks with their e-mail address, the shop e-mails a signed
link (valid for a day) to a page listing every order of theirs.

Whether the shop has orders for an address is never told to the asker: the route answers the same
either way; only the e-mail, to that address, says it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal.links import HistorySigner
from portal.orders.headline import Headline, decide, shop_today, zone_of
from portal.orders.upsert import email_key
from portal.settings import Settings
from portal.store import history, outbox, queries
from portal.store.models import Merchant, Order, utcnow

LINK_SECONDS = 24 * 3600
KIND = "history"


def signer(settings: Settings) -> HistorySigner:
    return HistorySigner(settings.resolved_secret_key, LINK_SECONDS)


@dataclass
class HistoryEntry:
    order: Order
    # The order page's headline (orders/headline.py), put into words by the template.
    headline: Headline


def _queue(session: Session, anchor: Order, locale: str | None) -> bool:
    """The history e-mail to the anchor order's address; its link is signed when the worker composes it."""
    if not anchor.email:
        return False
    row = outbox.message(anchor.merchant_id, anchor.id, KIND, anchor.email,
                         f"{KIND}:{anchor.id}:{utcnow().isoformat()}", {"locale": locale})
    return outbox.queue(session, [row]) == 1


def request_history(session: Session, merchant: Merchant, email: str, locale: str | None) -> bool:
    """Queue the e-mail when the shop has orders for `email`; whether it did is for tests and logs,
    never for the shopper."""
    key = email_key(email)
    anchor = history.newest_order_of_email(session, merchant.id, key) if key else None
    return anchor is not None and _queue(session, anchor, locale)


def send_for_order(session: Session, merchant_id: int, order_id: int) -> bool | None:
    """The console's "send order history": to the order's address, in its checkout language.
    None when the shop has no such order, False when the order has no e-mail address."""
    order = queries.order_by_id(session, merchant_id, order_id)
    if order is None:
        return None
    return _queue(session, order, order.locale)


def token_for(settings: Settings, anchor: Order, issued_at: float | None = None) -> str:
    return signer(settings).token(anchor.public_id, anchor.link_nonce, anchor.email_key or "", issued_at)


def token_for_email(session: Session, settings: Settings, merchant_id: int, email: str) -> str | None:
    """A history link's token for the shop's orders of `email` (support staff), or None without any."""
    key = email_key(email)
    anchor = history.newest_order_of_email(session, merchant_id, key) if key else None
    return token_for(settings, anchor) if anchor is not None else None


def open_history(session: Session, settings: Settings, merchant: Merchant, token: str) -> list[HistoryEntry] | None:
    """The orders a valid, unexpired link lists, newest first, each with its headline; None for any
    other token."""
    links = signer(settings)
    public_id = links.public_id(token)
    anchor = queries.order_by_public_id(session, merchant.id, public_id) if public_id else None
    if anchor is None or not anchor.email_key or not links.verify(token, anchor.link_nonce, anchor.email_key):
        return None
    orders = history.orders_of_shopper(session, merchant.id, anchor.email_key)
    parcels = history.parcels_of(session, [order.id for order in orders if order.id is not None])
    zone, today = zone_of(merchant.timezone), shop_today(merchant.timezone)
    return [HistoryEntry(order, decide(order, parcels.get(order.id or 0, []), merchant.settings or {}, zone, today))
            for order in orders]
