"""The order-history e-mail: a signed link to every order of the address, asked for by the shopper
(or sent by the shop's staff). Its link is signed when the e-mail is composed, so it is valid for a
day from then, however long the message waited in the outbox."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from portal import i18n, inputs
from portal.i18n import gettext
from portal.notify import envelope
from portal.notify.envelope import Copy
from portal.orders import history
from portal.store import queries
from portal.store.models import Merchant
from portal.store.records import OutboxMessage

if TYPE_CHECKING:
    from portal.web import Portal


def compose(portal: Portal, router: Any, session: Session, merchant: Merchant,
            message: OutboxMessage) -> EmailMessage | str:
    """The e-mail, or the reason it must not be sent any more."""
    anchor = queries.order_by_id(session, merchant.id, message.order_id) if message.order_id else None
    if anchor is None:
        return "the order no longer exists"
    if not anchor.email or not anchor.email_key or inputs.text_problem(anchor.email):
        return "the order has no usable e-mail address"
    locale = envelope.activate_locale(portal, merchant, message.params.get("locale"), anchor.locale)
    values = {"shop": merchant.name}
    copy = Copy(gettext("Your orders at %(shop)s") % values,
                gettext("Your orders"),
                gettext("Here is your link to every order you placed at %(shop)s with this e-mail address. "
                        "It works for 24 hours.") % values)
    path = router.url_path_for("history_page", shop=merchant.slug, token=history.token_for(portal.settings, anchor))
    context = {
        "merchant": merchant, "copy": copy, "history_url": envelope.absolute(portal, str(path)),
        "locale": locale, "html_lang": i18n.html_lang(locale), "dir": i18n.text_direction(locale),
    }
    return envelope.compose(portal, merchant, message, anchor.email, copy.subject, "email/history", context, locale)
