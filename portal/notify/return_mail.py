"""E-mails about a return request: one for each status it reaches, queued in the step's transaction
and composed by the mailer in the language the shopper asked in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from portal.i18n import gettext
from portal.store import outbox
from portal.store import returns as store
from portal.store.models import Merchant, Order
from portal.store.shopper_requests import ReturnItem, ReturnRequest

KINDS: dict[str, str] = {status: f"return_{status}"
                         for status in ("requested", "approved", "declined", "received", "refunded")}


def queue(session: Session, merchant: Merchant, order: Order, request: ReturnRequest) -> bool:
    """Queue the e-mail for the status the request just reached; True when it was new. None for
    an order without an address or whose shopper unsubscribed from its e-mails."""
    if not order.email or order.email_opt_out_at is not None:
        return False
    row = outbox.message(merchant.id, order.id, KINDS[request.status], order.email,
                         f"return:{request.id}:{request.status}",
                         {"return_id": request.id, "locale": request.locale})
    return outbox.queue(session, [row]) == 1


@dataclass
class ReturnMail:
    request: ReturnRequest
    items: list[ReturnItem]


def details(session: Session, merchant_id: int, order: Order, params: dict[str, Any]) -> ReturnMail | None:
    """The request an e-mail is about, if it still belongs to the order."""
    request = store.request_by_id(session, merchant_id, int(params.get("return_id") or 0))
    if request is None or request.order_id != order.id:
        return None
    return ReturnMail(request, list(store.items_of(session, [request.id])))


def words(kind: str, number: str, shop: str) -> tuple[str, str, str]:
    """(subject, headline, lead) of a return e-mail, in the active locale."""
    values = {"number": number, "shop": shop}
    if kind == "return_approved":
        return (gettext("Your return for order %(number)s is approved") % values, gettext("Return approved"),
                gettext("%(shop)s has approved your return. Follow the instructions below to send the items back.")
                % values)
    if kind == "return_declined":
        return (gettext("Your return for order %(number)s was declined") % values, gettext("Return declined"),
                gettext("%(shop)s cannot accept this return. The reason is below.") % values)
    if kind == "return_received":
        return (gettext("We received your return for order %(number)s") % values, gettext("Return received"),
                gettext("%(shop)s has received the items you sent back.") % values)
    if kind == "return_refunded":
        return (gettext("Your return for order %(number)s was refunded") % values, gettext("Return refunded"),
                gettext("%(shop)s has refunded the items you sent back.") % values)
    return (gettext("We received your return request for order %(number)s") % values, gettext("Return requested"),
            gettext("%(shop)s will look at your request and let you know what happens next.") % values)
