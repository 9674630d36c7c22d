"""How a shopper reaches the shop about an order: links with the order reference filled in, so
the shop knows which order without asking."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from portal.i18n import gettext

# The query parameter that carries the order reference to a shop's own support page.
SUPPORT_URL_PARAMETER = "order"


def mail_link(address: str, number: str) -> str:
    """A mailto: link (RFC 6068) with a subject and a first line naming the order, in the
    shopper's language."""
    subject = gettext("Order %(number)s") % {"number": number}
    body = gettext("Order reference: %(reference)s") % {"reference": number} + "\n\n"
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def support_page_link(url: str, number: str) -> str:
    """The shop's support page with `?order=<reference>` added to any query it has."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (SUPPORT_URL_PARAMETER, number)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def contact_links(merchant: Any, order: Any) -> dict[str, str]:
    """{"mail": mailto link, "page": support page link}, for the ways the shop has set."""
    links = {}
    if merchant.support_email:
        links["mail"] = mail_link(merchant.support_email, order.number)
    if merchant.support_url:
        links["page"] = support_page_link(merchant.support_url, order.number)
    return links
