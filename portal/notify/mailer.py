"""Composing a shopper e-mail from an outbox row (theme templates, the order's locale) and sending it."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import aiosmtplib
from sqlmodel import Session

from portal import i18n, inputs
from portal.analytics.counting import EMAIL_MARK
from portal.orders import custom_statuses
from portal.notify import digest, envelope, history_mail, notifications, return_mail
from portal.notify.envelope import Copy
from portal.i18n import gettext
from portal.settings import Settings
from portal.store import queries
from portal.store.models import Merchant, Order, Shipment
from portal.store.records import OutboxMessage

if TYPE_CHECKING:
    from portal.web import Portal

SAMPLE_NUMBER = "#1001"
# The email package folds headers at 78 characters and writes one it cannot fold (List-Unsubscribe's
# long URL) as RFC 2047 words, which mail providers do not read as a one-click unsubscribe. RFC 5322
# allows lines of 998: at that length the header goes out as written.
WIRE_POLICY = policy.SMTP.clone(max_line_length=998)


def _copy(kind: str, number: str, shop: str, status: str = "") -> Copy:
    """The words of each kind of e-mail, in the active locale."""
    values = {"number": number, "shop": shop, "status": status}
    if kind == "out_for_delivery":
        return Copy(gettext("Your order %(number)s is out for delivery") % values,
                    gettext("Out for delivery"),
                    gettext("The carrier expects to deliver your order today.") % values)
    if kind == "delivered":
        return Copy(gettext("Your order %(number)s has been delivered") % values,
                    gettext("Delivered"),
                    gettext("Your order has been delivered. Thank you for shopping with %(shop)s!") % values)
    if kind == "exception":
        return Copy(gettext("A problem with the delivery of your order %(number)s") % values,
                    gettext("Delivery problem"),
                    gettext("The carrier reported a problem with the delivery. See the latest details, "
                            "and contact us if you need help.") % values)
    if kind == "custom_status":
        return Copy(gettext("Your order %(number)s: %(status)s") % values, status,
                    gettext("Your order has a new status: %(status)s.") % values)
    if kind == notifications.TRACKING_LINK:
        return Copy(gettext("Follow your order %(number)s") % values,
                    gettext("Follow your order"),
                    gettext("Here is the link to follow your order from %(shop)s at any time.") % values)
    return Copy(gettext("Your order %(number)s is on its way") % values,
                gettext("Your order is on its way"),
                gettext("%(shop)s has shipped your order. Follow it with the link below.") % values)


def compose(portal: Portal, router: Any, session: Session, message: OutboxMessage) -> EmailMessage | str:
    """The e-mail for a row, or the reason it must not be sent any more (opted out, switched off, gone)."""
    merchant = session.get(Merchant, message.merchant_id)
    if merchant is None:
        return "the shop no longer exists"
    if message.kind == "history":
        return history_mail.compose(portal, router, session, merchant, message)
    if message.kind == digest.KIND:
        return digest.compose(portal, router, session, merchant, message)
    order = queries.order_by_id(session, merchant.id, message.order_id) if message.order_id else None
    kind = message.kind
    if kind == "test":
        order = queries.latest_order(session, merchant.id)
        kind = str(message.params.get("sample", "shipped"))
        recipient = message.recipient
    else:
        if order is None:
            return "the order no longer exists"
        if order.email_opt_out_at is not None:
            return "the shopper unsubscribed"
        if not notifications.enabled(merchant, kind):
            return "the shop switched this notification off"
        if not order.email:
            return "the order has no e-mail address"
        recipient = order.email
    if inputs.text_problem(recipient):  # stored before addresses were checked for NUL
        return "the e-mail address cannot be used"

    # The language the shopper asked in (a return request), else the order's checkout language.
    locale = envelope.activate_locale(portal, merchant, message.params.get("locale"), order.locale if order else None)
    shipment = session.get(Shipment, message.params.get("shipment_id") or 0) if order else None
    if shipment is not None and shipment.order_id != order.id:  # type: ignore[union-attr]
        shipment = None
    status = ""
    if kind == "custom_status":
        found = custom_statuses.by_key(queries.custom_statuses(session, merchant.id)).get(message.params.get("key", ""))
        if found is None:
            return "the custom status no longer exists"
        status = custom_statuses.label(found, merchant.default_locale)
    copy = _copy(kind, order.number if order else SAMPLE_NUMBER, merchant.name, status)
    returned = None
    if order is not None and kind in return_mail.KINDS.values():
        returned = return_mail.details(session, merchant.id, order, message.params)
        if returned is None:
            return "the return request no longer exists"
        copy = Copy(*return_mail.words(kind, order.number, merchant.name))
    if message.kind == "test":
        copy.subject = gettext("[Test] %(subject)s") % {"subject": copy.subject}
    if order is not None:
        # Marked, so that the console counts the pages opened from an e-mail (portal/analytics).
        tracking_url = envelope.absolute(portal, portal.tracking_path(merchant, order, router)) + "?" + "=".join(EMAIL_MARK)
    else:
        tracking_url = envelope.absolute(portal, str(router.url_path_for("lookup_form", shop=merchant.slug)))
    unsubscribe_url = None
    if order is not None and message.kind != "test":
        token = notifications.unsubscribe_signer(portal.settings).token(order.public_id, notifications.UNSUBSCRIBE_NONCE)
        unsubscribe_url = envelope.absolute(portal, str(router.url_path_for("unsubscribe", shop=merchant.slug,
                                                                             token=token)))
    context = {
        "merchant": merchant, "order": order, "number": order.number if order else SAMPLE_NUMBER, "kind": kind,
        "copy": copy, "shipment": shipment, "tracking_url": tracking_url, "unsubscribe_url": unsubscribe_url,
        "locale": locale, "html_lang": i18n.html_lang(locale), "dir": i18n.text_direction(locale),
        "test": message.kind == "test", "returned": returned,
    }
    template = "email/return" if returned else "email/notification"
    return envelope.compose(portal, merchant, message, recipient, copy.subject, template, context, locale)


async def send(settings: Settings, email: EmailMessage) -> None:
    """Hand one message to the SMTP server; any failure raises (the worker retries it later)."""
    recipients = [address.addr_spec for address in email["To"].addresses]
    international = not all(address.isascii() for address in (settings.smtp_from, *recipients))
    wire = WIRE_POLICY.clone(utf8=True) if international else WIRE_POLICY
    await aiosmtplib.send(
        email.as_bytes(policy=wire),
        sender=settings.smtp_from,
        recipients=recipients,
        mail_options=["SMTPUTF8"] if international else None,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls and not settings.smtp_ssl,
        use_tls=settings.smtp_ssl,
        timeout=settings.smtp_timeout,
    )
