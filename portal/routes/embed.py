"""Shopper pages framed inside a storefront: /embed/{shop}/track and /embed/{shop}/orders/{token}.

The handlers are the shopper ones (routes/shopper.py); `EmbedSite` changes only what framing
needs: the framing policy, a layout without the site header, a CSRF token that works without
third-party cookies, and the storefront's origin and language carried from page to page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import embed
from portal.merchants import Merchant
from portal.middleware import FRAME_ANCESTORS_KEY
from portal.routes import returns, shopper
from portal.web import merchant_or_404, portal_of
from portal.pages import render

# Fetch Metadata: a browser says where a request came from; a form inside our own frame is "same-origin".
_SAME_ORIGIN_SITES = {"same-origin"}


def form_tokens(request: Request) -> embed.FormTokens:
    return embed.FormTokens(portal_of(request).settings.resolved_secret_key)


def storefront_origin(request: Request, merchant: Merchant | None) -> str | None:
    """The framing storefront's origin (from embed.js's `origin` parameter), if the shop allows it."""
    origin = embed.origin_or_none(request.query_params.get("origin"))
    if merchant is None:
        return origin
    return origin if origin in embed.allowed_origins(merchant.embed_origins) else None


class EmbedSite(shopper.Site):
    route_prefix = "embed_"
    layout = "embed.html"

    async def merchant(self, request: Request) -> Merchant:
        merchant = await merchant_or_404(request)
        ancestors = embed.frame_ancestors(merchant.embed_origins)
        if ancestors:
            request.scope[FRAME_ANCESTORS_KEY] = ancestors
        return merchant

    def form_token_ok(self, request: Request, merchant: Merchant, submitted: str) -> bool:
        # No cookie to compare with: the token proves the form came from us for this shop, recently;
        # Fetch Metadata (when the browser sends it) proves the post came from our own frame.
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in _SAME_ORIGIN_SITES:
            return False
        return form_tokens(request).valid(submitted, merchant.slug)

    def carried(self, request: Request) -> dict[str, str]:
        merchant = getattr(request.state, "merchant", None)
        carried = {}
        origin = storefront_origin(request, merchant)
        if origin:
            carried["origin"] = origin
        lang = request.query_params.get("lang", "")
        if lang and len(lang) <= 16:
            carried["lang"] = lang
        return carried

    def context(self, request: Request, merchant: Merchant) -> dict[str, Any]:
        return {
            "csrf_token": form_tokens(request).issue(merchant.slug),
            "parent_origin": storefront_origin(request, merchant),
        }

    def render(self, request: Request, merchant: Merchant, template: str, context: dict[str, Any],
               **kwargs: Any) -> Response:
        return without_cookies(super().render(request, merchant, template, context, **kwargs))


EMBED = EmbedSite()


def without_cookies(response: Response) -> Response:
    """In a storefront's frame every cookie is a third-party cookie: the embed sets none (nor the
    language cookie: the storefront's language is not a choice the shopper made on our site)."""
    del response.headers["set-cookie"]
    return response


def unavailable(request: Request) -> Response:
    """A shop the snippet names does not exist: a small message, framable anywhere, not a broken frame."""
    # Nothing on this page belongs to anyone, so any storefront may show it.
    request.scope[FRAME_ANCESTORS_KEY] = "*"
    context = {"parent_origin": storefront_origin(request, None), "csrf_token": ""}
    return without_cookies(render(request, "embed_unavailable.html", context, status_code=404))


async def framed_unavailable(request: Request) -> Response:
    return unavailable(request)


def framed(handler: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, EMBED)
        except HTTPException as exc:
            if exc.status_code != 404 or getattr(request.state, "merchant", None) is not None:
                raise
            return unavailable(request)

    endpoint.__name__ = f"embed_{handler.__name__}"
    return endpoint


routes = [
    Route("/embed/{shop}/track", framed(shopper.lookup_form), methods=["GET"], name="embed_lookup_form"),
    Route("/embed/{shop}/track", framed(shopper.lookup_submit), methods=["POST"], name="embed_lookup_submit"),
    Route("/embed/{shop}/orders/{token}", framed(shopper.order_page), name="embed_order_page"),
    Route("/embed/{shop}/orders/{token}/returns", framed(returns.return_form), methods=["GET", "POST"],
          name="embed_return_form"),
    # Whatever else a snippet asks for under /embed/ (a shop name with a slash, a mangled token).
    Route("/embed/{rest:path}", framed_unavailable, name="embed_unavailable"),
]
