"""Order-page panels: which exist, how often they poll, and the ETag that makes a poll cheap.

The ETag is computed from facts known before any rendering (the order's version, the merchant's
version, locale, theme, the day), so an unchanged panel is answered with 304 after a single
indexed lookup, without building the view or touching a template.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, NamedTuple

from jinja2 import pass_context
from markupsafe import Markup, escape

from portal import __version__
from portal.live.hub import PANELS
from portal.orders.headline import shop_today
from portal.store.models import Merchant

PAGE = "page"
DEFAULT_POLL_SECONDS = 60
MIN_POLL_SECONDS = 10
MAX_POLL_SECONDS = 3600
# Once everything is delivered (or the order is cancelled) news is rare: poll this much slower.
SETTLED_POLL_FACTOR = 10


class OrderStamp(NamedTuple):
    """The few order columns needed to answer a poll: read in one indexed lookup."""

    id: int
    version: int
    link_nonce: str
    locale: str | None


def panel_name(query_panel: str | None, hx_target: str | None) -> str | None:
    """The panel an htmx request asks for (`?panel=status`, else `HX-Target: panel-status`)."""
    if query_panel:
        return query_panel
    if hx_target and hx_target.startswith("panel-"):
        return hx_target.removeprefix("panel-")
    return None


def is_panel(name: str) -> bool:
    return name in PANELS


def etag(stamp: OrderStamp, merchant: Merchant, locale: str, theme_version: str, part: str,
         variant: str = "") -> str:
    """`variant`: any other choice of the shopper's that the panel shows (e.g. an estimate currency)."""
    # The shop's day is part of it because panels say "2 days ago" and "arriving today"; the
    # portal version because a deploy may change the templates.
    today = shop_today(merchant.timezone).isoformat()
    key = "|".join(map(str, (
        __version__, stamp.id, stamp.version, merchant.id, merchant.version, merchant.theme,
        theme_version, locale, part, today, variant,
    )))
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header against our tag."""
    if not if_none_match:
        return False
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or tag in candidates


def poll_seconds(merchant: Merchant, settled: bool) -> int:
    seconds = int((merchant.settings or {}).get("poll_interval") or DEFAULT_POLL_SECONDS)
    if settled:
        seconds = min(seconds * SETTLED_POLL_FACTOR, MAX_POLL_SECONDS)
    return seconds


@dataclass(frozen=True)
class LiveAttrs:
    """What makes a rendered panel refresh itself: its URL, poll interval, SSE event and ETag."""

    url: str
    poll: int
    tags: dict[str, str]
    events_url: str

    def attributes(self, name: str) -> Markup:
        # `portal:refresh` is fired by static/portal.js when a hidden tab becomes visible again.
        # Each value escaped, then one f-string: Markup.format (a Python string.Formatter) is far
        # slower, and a page does this for every panel.
        url = escape(f"{self.url}{'&' if '?' in self.url else '?'}panel={name}")
        name, tag = escape(name), escape(self.tags.get(name, ""))
        return Markup(f' hx-get="{url}" hx-trigger="every {int(self.poll)}s, sse:panel-{name}, portal:refresh"'
                      f' hx-swap="outerHTML" data-etag="{tag}"')


@pass_context
def panel_attrs(context: Any, name: str) -> Markup:
    """Template global: a panel's live attributes, or nothing where the page is not live (e.g. embeds)."""
    live = context.get("live")
    return live.attributes(name) if isinstance(live, LiveAttrs) and is_panel(name) else Markup("")
