"""Shopper pages: guest lookup, the order status page, a tracking-number result.

Every handler takes a `Site`: the full site here, or the framed variant in routes/embed.py. The
lookup rules, rate limits and privacy live once, in these handlers, for both.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import inputs
from portal.analytics.counting import EMAIL_MARK
from portal.live import panels
from portal.orders import lookup, order_view, shipments
from portal.hosts import absolute_url
from portal.merchants import Merchant
from portal.i18n import gettext
from portal.security import CSRF_FIELD, csrf_valid
from portal.web import VARY, asked_currency, merchant_or_404, portal_of, url_path
from portal.pages import activate, render

FIELD_MAX = 200


class Site:
    """How shopper pages are served: route names, page layout, CSRF, query carried between pages."""

    route_prefix = ""
    layout = "base.html"

    async def merchant(self, request: Request) -> Merchant:
        return await merchant_or_404(request)

    async def open(self, request: Request, with_order: bool = False) -> tuple[Merchant, panels.OrderStamp | None]:
        """The shop a page belongs to (and the order its token names, if asked and valid), with the
        request's locale chosen from them: the one place a shop page activates its language."""
        merchant = await self.merchant(request)
        stamp = await order_stamp(request, merchant) if with_order else None
        activate(request, merchant, stamp)
        return merchant, stamp

    def form_token_ok(self, request: Request, merchant: Merchant, submitted: str) -> bool:
        return csrf_valid(request.session, submitted)

    def carried(self, request: Request) -> dict[str, str]:
        """Query parameters that follow the shopper from page to page."""
        return {}

    def context(self, request: Request, merchant: Merchant) -> dict[str, Any]:
        return {}

    def path(self, request: Request, name: str, **params: str) -> str:
        path = url_path(request.app, self.route_prefix + name, **params)
        carried = self.carried(request)
        return f"{path}?{urlencode(carried)}" if carried else path

    def render(self, request: Request, merchant: Merchant, template: str, context: dict[str, Any],
               **kwargs: Any) -> Response:
        ctx = {
            "layout": self.layout,
            "shop_path": lambda name, **params: self.path(request, name, shop=merchant.slug, **params),
            **self.context(request, merchant),
            **context,
        }
        return render(request, template, ctx, **kwargs)


FULL = Site()


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def over_lookup_limit(request: Request, site: Site, merchant: Merchant, name: str) -> Response | None:
    """Count one `name` request of this client at this shop against the lookup's limit: the 429
    page when over it, else None."""
    portal = portal_of(request)
    wait = await portal.hit_limit(portal.settings.lookup_rate_limit, name, merchant.slug, client_key(request))
    if wait is None:
        return None
    return site.render(request, merchant, "rate_limited.html", {"retry_after": wait}, status_code=429,
                       headers={"Retry-After": str(wait)})


async def shop_home(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    return RedirectResponse(absolute_url(request, "lookup_form", shop=merchant.slug), status_code=302)


async def lookup_form(request: Request, site: Site = FULL) -> Response:
    merchant, _ = await site.open(request)
    return site.render(request, merchant, "lookup.html", {"form": {}})


async def lookup_submit(request: Request, site: Site = FULL) -> Response:
    merchant, _ = await site.open(request)
    portal = portal_of(request)
    started = time.monotonic()

    limited = await over_lookup_limit(request, site, merchant, "lookup")
    if limited is not None:
        return limited

    form = await request.form()
    values = {
        name: str(form.get(name) or "")[:FIELD_MAX].strip()
        for name in ("order_number", "contact", "tracking_number")
    }
    query = lookup.LookupInput(**values)
    if not site.form_token_ok(request, merchant, str(form.get(CSRF_FIELD) or "")):
        # Decided before any lookup, so it tells nothing about the order: say what happened.
        error = gettext("This form has expired. Please send it again.")
        return site.render(request, merchant, "lookup.html", {"form": values, "error": error}, status_code=422)

    def find():
        with portal.session() as session:
            if query.wants_tracking:
                shipment = lookup.find_shipment(session, merchant.id, query.tracking_number)
                if shipment is None:
                    return None
                return "shipment", shipment, shipments.events_of(session, shipment)
            order = lookup.find_order(session, merchant.id, query.order_number, query.contact)
            return ("order", order, None) if order else None

    # Input no order can hold (a NUL, a line break) is a miss like any other, without a query.
    storable = not any(inputs.text_problem(value) for value in values.values())
    found = await portal.read(find) if storable else None
    portal.usage.looked_up(merchant, found is not None)
    if found and found[0] == "order":
        path = site.path(request, "order_page", shop=merchant.slug, token=portal.link_token(found[1]))
        return RedirectResponse(path, status_code=303)
    if found and found[0] == "shipment":
        return site.render(request, merchant, "tracking_result.html", {"shipment": found[1], "events": found[2]})

    # One answer for every failure, padded to the same minimum time, so neither the message nor
    # the clock tells whether the order, the e-mail or the tracking number exists.
    elapsed = time.monotonic() - started
    await asyncio.sleep(max(0.0, portal.settings.lookup_failure_floor_ms / 1000 - elapsed))
    error = gettext("We could not find an order with those details. Check them and try again.")
    return site.render(request, merchant, "lookup.html", {"form": values, "error": error}, status_code=404)


async def order_stamp(request: Request, merchant: Merchant) -> panels.OrderStamp | None:
    """The stamp of the order the path's token names, if the token is valid (one lookup)."""
    portal = portal_of(request)
    token = request.path_params["token"]
    public_id = portal.signer.public_id(token)

    def find_stamp():
        with portal.engine.connect() as connection:
            return order_view.stamp(connection, merchant.id, public_id)

    row = await portal.read(find_stamp) if public_id else None
    return panels.OrderStamp(*row) if row and portal.signer.verify(token, row[2]) else None


async def order_page(request: Request, site: Site = FULL) -> Response:
    """The whole page, or one panel when htmx asks; 304 when the asker already has this version."""
    portal = portal_of(request)
    token = request.path_params["token"]
    merchant, stamp = await site.open(request, with_order=True)
    if stamp is None:
        return invalid_link(request, merchant, site)
    part = panels.PAGE
    if request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request"):
        part = panels.panel_name(request.query_params.get("panel"), request.headers.get("hx-target")) or part
        if part != panels.PAGE and not panels.is_panel(part):
            raise HTTPException(status_code=404)
    if part == panels.PAGE:  # a view of the page, whatever answers it (304, the page cache, a render)
        portal.usage.order_viewed(merchant, stamp.id, request.query_params.get(EMAIL_MARK[0]) == EMAIL_MARK[1])
    locale = request.state.locale
    theme = portal.themes.get(merchant.theme)

    def etag(part: str) -> str:
        return panels.etag(stamp, merchant, locale, theme.version if theme else "", part, asked_currency(request) or "")

    headers = {"Cache-Control": "private, no-store", "Vary": f"{VARY}, HX-Request", "ETag": etag(part)}
    if panels.matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)

    # The same version of the same page in the same language was rendered moments ago: reuse it.
    # (Not when the shopper is picking a language or currency: that answer sets a cookie.)
    cacheable = not {"lang", "currency"} & request.query_params.keys()
    # Keyed by what the page depends on (the ETag, the site, what the site carries between pages),
    # not the raw query string: junk parameters must neither bypass nor flood the cache.
    cache_key = (site.route_prefix, tuple(sorted(site.carried(request).items())), headers["ETag"])
    cached = portal.pages.get(cache_key) if cacheable else None
    if cached is not None:
        return cached

    def load():
        with portal.session() as session:
            order = order_view.page_order(session, merchant.id, stamp.id)
            return order_view.build(session, merchant, order) if order else None

    view = await portal.read(load)
    if view is None:  # deleted between the two lookups
        return invalid_link(request, merchant, site)
    # The version may have moved on since the stamp: tag what is actually rendered.
    stamp = stamp._replace(version=view.order.version)
    settled = view.order.status == "cancelled" or view.progress_step == len(view.progress_steps) - 1
    context = {
        **order_context(view),
        "live": panels.LiveAttrs(
            url=site.path(request, "order_page", shop=merchant.slug, token=token),
            poll=panels.poll_seconds(merchant, settled),
            tags={name: etag(name) for name in panels.PANELS},
            events_url=url_path(request.app, "order_events", shop=merchant.slug, token=token)
            + f"?v={view.order.version}",
        ),
        # Delivery feedback is given on the full site (a framed page posting out of its frame would leave it).
        "feedback_url": url_path(request.app, "order_feedback", shop=merchant.slug, token=token) if site is FULL else None,
    }
    template = "order.html" if part == panels.PAGE else f"_panel_{part}.html"
    headers["ETag"] = etag(part)
    response = site.render(request, merchant, template, context, headers=headers)
    if cacheable and response.status_code == 200:
        portal.pages.put(cache_key[:2] + (headers["ETag"],), response)
    return response


def invalid_link(request: Request, merchant: Merchant, site: Site) -> Response:
    message = gettext("This tracking link is not valid any more. Look up your order below.")
    return site.render(request, merchant, "lookup.html", {"form": {}, "error": message, "link_error": True},
                       status_code=404)


def order_context(view: order_view.OrderView) -> dict[str, Any]:
    """What order.html needs (also used by the console's theme preview)."""
    return {"view": view, "order": view.order, "address": order_view.masked_address(view.order.shipping_address)}


routes = [
    Route("/{shop:shop}/", shop_home, name="shop_home"),
    Route("/{shop:shop}/track", lookup_form, methods=["GET"], name="lookup_form"),
    Route("/{shop:shop}/track", lookup_submit, methods=["POST"], name="lookup_submit"),
    Route("/{shop:shop}/orders/{token}", order_page, name="order_page"),
]
