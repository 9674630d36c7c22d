"""Shopper pages: guest lookup, the order status page, a tracking-number result.

Every handler takes a `Site`: the full site here, or the framed variant in routes/embed.py. The
lookup rules, rate limits and privacy live once, in these handlers, for both.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import lookup, order_view
from portal.i18n import gettext
from portal.security import CSRF_FIELD, csrf_valid
from portal.store import queries
from portal.store.models import Merchant
from portal.web import activate, merchant_or_404, portal_of, render

FIELD_MAX = 200


class Site:
    """How shopper pages are served: route names, page layout, CSRF, query carried between pages."""

    route_prefix = ""
    layout = "base.html"

    async def merchant(self, request: Request) -> Merchant:
        return await merchant_or_404(request)

    def form_token_ok(self, request: Request, merchant: Merchant, submitted: str) -> bool:
        return csrf_valid(request.session, submitted)

    def carried(self, request: Request) -> dict[str, str]:
        """Query parameters that follow the shopper from page to page."""
        return {}

    def context(self, request: Request, merchant: Merchant) -> dict[str, Any]:
        return {}

    def path(self, request: Request, name: str, **params: str) -> str:
        path = str(request.app.url_path_for(self.route_prefix + name, **params))
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


async def shop_home(request: Request) -> Response:
    merchant = await merchant_or_404(request)
    return RedirectResponse(request.url_for("lookup_form", shop=merchant.slug), status_code=302)


async def lookup_form(request: Request, site: Site = FULL) -> Response:
    merchant = await site.merchant(request)
    activate(request, merchant)
    return site.render(request, merchant, "lookup.html", {"form": {}})


async def lookup_submit(request: Request, site: Site = FULL) -> Response:
    merchant = await site.merchant(request)
    activate(request, merchant)
    portal = portal_of(request)
    started = time.monotonic()

    wait = portal.hit_limit(portal.settings.lookup_rate_limit, "lookup", merchant.slug, client_key(request))
    if wait is not None:
        return site.render(request, merchant, "rate_limited.html", {"retry_after": wait}, status_code=429,
                           headers={"Retry-After": str(wait)})

    form = await request.form()
    values = {
        name: str(form.get(name) or "")[:FIELD_MAX].strip()
        for name in ("order_number", "contact", "tracking_number")
    }
    query = lookup.LookupInput(**values)
    token_ok = site.form_token_ok(request, merchant, str(form.get(CSRF_FIELD) or ""))

    def find():
        with portal.session() as session:
            if query.wants_tracking:
                shipment = lookup.find_shipment(session, merchant.id, query.tracking_number)
                if shipment is None:
                    return None
                return "shipment", shipment, list(queries.events_for(session, [shipment.id]))
            order = lookup.find_order(session, merchant.id, query.order_number, query.contact)
            return ("order", order, None) if order else None

    found = await run_in_threadpool(find) if token_ok else None
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


async def order_page(request: Request, site: Site = FULL) -> Response:
    merchant = await site.merchant(request)
    portal = portal_of(request)
    token = request.path_params["token"]
    public_id = portal.signer.public_id(token)

    def load():
        if public_id is None:
            return None
        with portal.session() as session:
            order = queries.order_by_public_id(session, merchant.id, public_id)
            if order is None or not portal.signer.verify(token, order.link_nonce):
                return None
            return order_view.build(session, order)

    view = await run_in_threadpool(load)
    if view is None:
        activate(request, merchant)
        message = gettext("This tracking link is not valid any more. Look up your order below.")
        return site.render(request, merchant, "lookup.html", {"form": {}, "error": message, "link_error": True},
                           status_code=404)
    activate(request, merchant, view.order)
    return site.render(request, merchant, "order.html", order_context(view),
                       headers={"Cache-Control": "private, no-store"})


def order_context(view: order_view.OrderView) -> dict[str, Any]:
    """What order.html needs (also used by the console's theme preview)."""
    return {"view": view, "order": view.order, "address": order_view.masked_address(view.order.shipping_address)}


routes = [
    Route("/{shop}/", shop_home, name="shop_home"),
    Route("/{shop}/track", lookup_form, methods=["GET"], name="lookup_form"),
    Route("/{shop}/track", lookup_submit, methods=["POST"], name="lookup_submit"),
    Route("/{shop}/orders/{token}", order_page, name="order_page"),
]
