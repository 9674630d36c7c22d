"""What every shopper e-mail shares: its headers and its two bodies (text and HTML, from the theme)."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from portal import i18n, inputs
from portal.store.models import Merchant, utcnow
from portal.store.records import OutboxMessage

if TYPE_CHECKING:
    from portal.web import Portal


@dataclass
class Copy:
    """The words of one e-mail, in the active locale."""

    subject: str
    headline: str
    lead: str


def message_id(portal: Portal, message: OutboxMessage) -> str:
    """Derived from the row alone: a resend after a crash carries the same id, so it can be recognised."""
    domain = portal.settings.smtp_from.rpartition("@")[2] or "localhost"
    return f"<outbox-{message.id}.{message.message_token}@{domain}>"


def absolute(portal: Portal, path: str) -> str:
    return portal.settings.base_url.rstrip("/") + path


def activate_locale(portal: Portal, merchant: Merchant, *preferred: str | None) -> str:
    """The first of `preferred` the shop offers, else its default; activated with the merchant's own
    wording, which wins over the catalog as on their pages."""
    locale = i18n.negotiate([*preferred, merchant.default_locale],
                            portal.enabled_locales(merchant)) or merchant.default_locale
    i18n.activate(locale, overrides=portal.translation_overrides(merchant).get(locale), tz=merchant.timezone)
    return locale


def compose(portal: Portal, merchant: Merchant, message: OutboxMessage, recipient: str, subject: str,
            template: str, context: dict[str, Any], locale: str) -> EmailMessage:
    """The e-mail from the shop to `recipient`: `template`.txt and `template`.html rendered with the
    merchant's theme. Headers from stored text (an order number, a shop's name, its wording) are
    made one line: a line break in a header makes the whole message fail."""
    env = portal.themes.environment(merchant.theme)
    email = EmailMessage()
    email["Subject"] = inputs.one_line(subject)
    email["From"] = Address(display_name=inputs.one_line(merchant.name), addr_spec=portal.settings.smtp_from)
    email["To"] = recipient
    if merchant.support_email and not inputs.text_problem(merchant.support_email):
        email["Reply-To"] = Address(display_name=inputs.one_line(merchant.name), addr_spec=merchant.support_email)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id(portal, message)
    email["Auto-Submitted"] = "auto-generated"
    unsubscribe_url = context.get("unsubscribe_url")
    if unsubscribe_url:
        email["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps the message 7-bit, so it needs no 8BITMIME from the server.
    email.set_content(env.get_template(f"{template}.txt").render(context), cte="quoted-printable")
    email.add_alternative(env.get_template(f"{template}.html").render(context), subtype="html",
                          cte="quoted-printable")
    email["Content-Language"] = i18n.html_lang(locale)  # after the body: set_content() drops Content-* headers
    return email
