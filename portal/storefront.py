"""Buy again: the shop's storefront (merchant settings) and each platform's cart permalink, which
puts an order's items back in the shopper's cart with the same quantities.

Shopify:     {storefront}/cart/{variant_id}:{quantity}[,{variant_id}:{quantity}...]
WooCommerce: {storefront}/?add-to-cart={variation_id or product_id}&quantity={quantity}
BigCommerce: {storefront}/cart.php?action=add&product_id={product_id}&qty={quantity}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from portal.i18n import gettext

PLATFORMS = ("shopify", "woocommerce", "bigcommerce")
# Platform ids are whole numbers; anything else (a GraphQL gid, a SKU) is not put in a cart link.
_ID_RE = re.compile(r"^[0-9]{1,20}$")
_ON = {"on": True, "off": False}


class StorefrontError(ValueError):
    """A storefront setting that cannot be used, with the reason (in the active locale)."""


def storefront_url(value: str) -> str | None:
    """An https address of the shop's storefront, without a trailing slash; empty clears it."""
    if not value:
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise StorefrontError(gettext("%(value)s is not a web address such as https://shop.example") % {
            "value": repr(value)}) from None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise StorefrontError(gettext("%(value)s: an https address such as https://shop.example (no user name)") % {
            "value": repr(value)})
    if parts.query or parts.fragment or len(value) > 500 or port == 0:
        raise StorefrontError(gettext(
            "%(value)s: the storefront's address only, without ? or # (at most 500 characters)") % {"value": repr(value)})
    return value.rstrip("/")


def on_off(value: str) -> bool | None:
    """`on` or `off`; empty goes back to the default."""
    if not value:
        return None
    if value.lower() not in _ON:
        raise StorefrontError(gettext("%(value)s: on or off") % {"value": repr(value)})
    return _ON[value.lower()]


def platform(value: str) -> str | None:
    if not value:
        return None
    if value.lower() not in PLATFORMS:
        raise StorefrontError(gettext("%(value)s: one of %(choices)s") % {"value": repr(value), "choices": ", ".join(PLATFORMS)})
    return value.lower()


@dataclass(frozen=True)
class BuyAgain:
    """Cart links by line item id, and one for every item when the platform takes several at once."""

    items: Mapping[int, str] = field(default_factory=dict)
    everything: str | None = None


def _id(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if _ID_RE.match(text) and text.strip("0") else None


def _shopify(base: str, items: Iterable[Any]) -> BuyAgain:
    parts = {item.id: f"{variant}:{item.quantity}" for item in items if (variant := _id(item.variant_id))}
    everything = f"{base}/cart/{','.join(parts.values())}" if len(parts) > 1 else None
    return BuyAgain({item_id: f"{base}/cart/{part}" for item_id, part in parts.items()}, everything)


def _woocommerce(base: str, items: Iterable[Any]) -> BuyAgain:
    return BuyAgain({item.id: f"{base}/?add-to-cart={product}&quantity={item.quantity}" for item in items
                     if (product := _id(item.variant_id) or _id(item.product_id))})


def _bigcommerce(base: str, items: Iterable[Any]) -> BuyAgain:
    return BuyAgain({item.id: f"{base}/cart.php?action=add&product_id={product}&qty={item.quantity}" for item in items
                     if (product := _id(item.product_id))})


_LINKS = {"shopify": _shopify, "woocommerce": _woocommerce, "bigcommerce": _bigcommerce}


def buy_again(settings: Mapping[str, Any], source: str, items: Iterable[Any]) -> BuyAgain | None:
    """The order's cart links, or None when the shop has no storefront, has buy again off, or the
    order's platform is not known (an order from the API or a CSV file takes the shop's
    `storefront_platform`). `items`: line items with id, quantity, product_id and variant_id."""
    base = settings.get("storefront_url")
    if not base or settings.get("buy_again") is False:
        return None
    links = _LINKS.get(source) or _LINKS.get(settings.get("storefront_platform") or "")
    if links is None:
        return None
    found = links(base, [item for item in items if item.quantity > 0])
    return found if found.items else None
