"""Answering a request with a page: the request's locale (activated once per request), the
shopper's currency estimate, and the theme-aware render (full page or the htmx partial)."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from portal import exchange, hosts, i18n
from portal.live import panels
from portal.security import csrf_token
from portal.store.models import Merchant, Order
from portal.theming.view import ThemeView, build_view
from portal.web import CURRENCY_COOKIE, LOCALE_COOKIE, VARY, Portal, portal_of, url_path


def choose_locale(request: Request, merchant: Merchant | None, order: Order | panels.OrderStamp | None = None) -> str:
    """?lang= -> cookie -> order's checkout locale -> Accept-Language -> merchant default."""
    portal = portal_of(request)
    enabled = portal.enabled_locales(merchant)
    candidates = [
        request.query_params.get("lang"),
        request.cookies.get(LOCALE_COOKIE),
        order.locale if order else None,
        *i18n.parse_accept_language(request.headers.get("accept-language")),
        merchant.default_locale if merchant else None,
        i18n.SOURCE_LOCALE,
    ]
    return i18n.negotiate(candidates, enabled) or (enabled[0] if enabled else i18n.SOURCE_LOCALE)


def activate(request: Request, merchant: Merchant | None, order: Order | panels.OrderStamp | None = None) -> str:
    """Choose the request's locale and make it the active one, once per request, where the request
    learns what it belongs to: a shop page in `Site.open` (routes/shopper.py), a console page in
    `require_merchant`, the unsubscribe page once its order is found; a page of no shop in `render`."""
    locale = choose_locale(request, merchant, order)
    mine = portal_of(request).translation_overrides(merchant).get(locale) if merchant else None
    i18n.activate(locale, overrides=mine, tz=merchant.timezone if merchant else "UTC")
    request.state.locale = locale
    return locale


def choose_console_locale(request: Request, preferred: str | None = None) -> str:
    """The console's language: the user's own choice -> Accept-Language -> English, among every
    shipped catalog (not only the shop's enabled locales: staff read the console, not shoppers)."""
    shipped = i18n.catalogs().available()
    candidates = [preferred, *i18n.parse_accept_language(request.headers.get("accept-language"))]
    return i18n.negotiate(candidates, shipped) or i18n.SOURCE_LOCALE


def activate_console(request: Request, merchant: Merchant | None, preferred: str | None = None) -> str:
    """Activate the console's language; the shop's translation overrides are for shoppers and stay out."""
    locale = choose_console_locale(request, preferred)
    i18n.activate(locale, tz=merchant.timezone if merchant else "UTC")
    request.state.locale = locale
    return locale


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    merchant: Merchant | None = None,
    theme: ThemeView | None = None,
) -> HTMLResponse:
    """Render with the merchant's theme, in the locale `activate()` chose for this request.

    `theme` replaces the merchant's live theme (the console's preview of a draft).
    """
    portal = portal_of(request)
    merchant = merchant or getattr(request.state, "merchant", None)
    locale = getattr(request.state, "locale", None) or activate(request, merchant)
    path_for = functools.partial(url_path, request.app)
    theme = theme or live_theme_view(portal, path_for, merchant)
    env = portal.themes.environment(theme.name)
    enabled = portal.enabled_locales(merchant)
    page = template.rsplit("/", 1)[-1].removesuffix(".html").lstrip("_")
    ctx: dict[str, Any] = {
        "request": request,
        "merchant": merchant,
        "locale": locale,
        "html_lang": i18n.html_lang(locale),
        "dir": i18n.text_direction(locale),
        "locales": [(code, i18n.locale_display_name(code)) for code in enabled],
        "page": page,
        "layout": "base.html",
        "url_for": lambda name, **params: hosts.absolute_url(request, name, **params),
        "path_for": path_for,
        "theme": theme,
        "shop_path": lambda name, **params: url_path(request.app, name, shop=merchant.slug, **params),
        "static": functools.partial(static_url, request.app, portal),
    }
    ctx.update(context or {})
    if "csrf_token" not in ctx:
        # Only when the page did not bring its own token: reading it creates a session cookie.
        ctx["csrf_token"] = csrf_token(request.session) if "session" in request.scope else ""
    body = env.get_template(template).render(ctx)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    response.headers["Content-Language"] = i18n.html_lang(locale)
    response.headers["Vary"] = (headers or {}).get("Vary", VARY)
    currency = request.query_params.get("currency")
    if currency is not None and merchant is not None:
        picked = currency.strip().upper()[:3]
        response.set_cookie(CURRENCY_COOKIE, picked if picked in exchange.offered(merchant) else "-",
                            max_age=365 * 86400, samesite="lax", httponly=True)
    lang = request.query_params.get("lang")
    if lang and i18n.negotiate([lang], enabled) == locale:
        # The shopper picked a language: remember it for their next visit.
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def static_url(app: Any, portal: Portal, path: str) -> str:
    """A file of static/ under its content hash: browsers may keep it for a year."""
    digest = portal.static_hashes.get(path)
    return url_path(app, "static", path=path) + (f"?v={digest}" if digest else "")


def live_theme_view(portal: Portal, path_for: Any, merchant: Merchant | None) -> ThemeView:
    if merchant is None:
        return build_view(portal.themes, path_for, None, {}, None, None)
    return build_view(portal.themes, path_for, merchant.theme, dict(merchant.theme_settings or {}), merchant.slug,
                      ("shop_theme_css", {"shop": merchant.slug}))


def not_found_response(request: Request) -> Response:
    return render(request, "error.html", {"status": 404}, status_code=404)
