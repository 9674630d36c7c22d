"""Merchant console: login (rate limited), logout (of every session of the user), order list with
tracking links, link revocation (after a confirmation page)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import console_auth, inputs, merchants
from portal.orders import staff_log, upsert
from portal.hosts import absolute_url
from portal.i18n import gettext, ngettext
from portal.merchants import Merchant, MerchantError, apply_settings
from portal.routes.shopper import client_key
from portal.security import CSRF_FIELD, csrf_valid
from portal.statuses import FULFILLMENT_STATUSES, ORDER_STATUSES, PAYMENT_STATUSES, RETURN_STATUSES
from portal.web import portal_of
from portal.pages import activate_console, render

SESSION_USER = "user_id"
SESSION_MERCHANT = "merchant_id"
SESSION_VERSION = "session_version"
_LOGIN_KEYS = (SESSION_USER, SESSION_MERCHANT, SESSION_VERSION)
# Set in the fresh session after "Log out everywhere": the log-in page says every session ended.
ENDED_EVERYWHERE = "console_ended_everywhere"


def current_login(request: Request) -> tuple[Merchant, console_auth.ConsoleUser] | None:
    user_id, merchant_id, version = (request.session.get(key) for key in _LOGIN_KEYS)
    if not user_id:
        return None
    with portal_of(request).session() as session:
        return console_auth.session_login(session, user_id, merchant_id, version)


async def require_merchant(request: Request) -> Merchant:
    """The logged-in shop (else a redirect to the log-in page), with the console's language active:
    the user's own choice, else their browser's. `request.state.console_user` is who is logged in."""
    found = await run_in_threadpool(current_login, request)
    if found is None:
        for key in _LOGIN_KEYS:  # a session that ended (logout elsewhere, new password) is forgotten
            request.session.pop(key, None)
        raise HTTPException(status_code=303, headers={"Location": absolute_url(request, "admin_login")})
    merchant, user = found
    request.state.merchant = merchant
    request.state.console_user = user
    activate_console(request, merchant, user.locale)
    return merchant


def console_actor(request: Request) -> staff_log.Actor:
    """The logged-in user (read by `require_merchant`), as the staff timeline names who changed an order."""
    return staff_log.console(console_user(request).email)


def console_user(request: Request) -> console_auth.ConsoleUser:
    """Who is logged in (after `require_merchant`)."""
    return request.state.console_user


def check_fields(fields, multiline: tuple[str, ...] = ()) -> None:
    """Console input the store cannot hold (a NUL; a line break outside a text area): a 422 naming the field."""
    try:
        inputs.check_fields(fields, multiline)
    except inputs.FieldError as exc:
        if exc.problem == inputs.NUL_PROBLEM:
            detail = gettext("The field %(field)s must not contain a NUL character.")
        else:
            detail = gettext("The field %(field)s must be a single line (no line breaks).")
        raise HTTPException(status_code=422, detail=detail % {"field": repr(exc.field)}) from None


async def read_form(request: Request, multiline: tuple[str, ...] = ()):
    """The console form, once its CSRF token and every field are checked. `multiline`: the form's
    text areas, which may hold line breaks."""
    form = await request.form()
    try:
        if not csrf_valid(request.session, str(form.get(CSRF_FIELD) or "")):
            raise HTTPException(
                status_code=403, detail=gettext("The form expired. Go back, reload the page and try again."))
        check_fields(form.multi_items(), multiline)
    except HTTPException:
        await form.close()  # uploads in a refused form are spooled files: release them now
        raise
    return form


def id_param(request: Request, name: str) -> int:
    """A row id of the path; one no row can have (not digits, too large) is a 404."""
    row_id = inputs.store_id(request.path_params[name])
    if row_id is None:
        raise HTTPException(404)
    return row_id


async def save_settings(request: Request, merchant: Merchant, values: dict[str, str], page: str,
                        labels: dict[str, str] | None = None) -> Response | str:
    """Apply console form settings: a redirect back to `page` (?saved=1), or the error to show, in
    the console's language: each refused field by its label (`labels`, untranslated), else the reason alone."""

    def save() -> None:
        with portal_of(request).session() as session:
            apply_settings(session, merchants.by_id(session, merchant.id), values)

    try:
        await run_in_threadpool(save)
    except MerchantError as exc:
        named = labels or {}
        return "; ".join(f"{gettext(named[key])}: {reason}" if key in named else reason
                         for key, reason in exc.errors.items()) or str(exc)
    return RedirectResponse(absolute_url(request, page) + "?saved=1", status_code=303)


def _login_page(request: Request, form: dict[str, str], error: str | None = None, status_code: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    ended = bool(request.session.pop(ENDED_EVERYWHERE, None))
    return render(request, "admin/login.html", {"form": form, "error": error, "ended_everywhere": ended},
                  status_code=status_code, headers=headers)


async def _login_wait(request: Request, shop: str, email: str) -> int | None:
    """Count this attempt against the client's and the account's limits: seconds to wait if over.
    An attempt the client's limit refuses is not counted against the account."""
    portal = portal_of(request)
    settings = portal.settings
    wait = await portal.hit_limit(settings.login_client_rate_limit, "login-client", client_key(request))
    if wait is None:
        wait = await portal.hit_limit(settings.login_rate_limit, "login-account", shop.lower(), email)
    return wait


async def login(request: Request) -> Response:
    activate_console(request, None)
    if request.method == "GET":
        return _login_page(request, {})
    form = await read_form(request)
    shop = str(form.get("shop") or "").strip()[:64]
    email = str(form.get("email") or "").strip().lower()[:255]
    password = str(form.get("password") or "")[:1000]
    entered = {"shop": shop, "email": email}

    wait = await _login_wait(request, shop, email)
    if wait is not None:
        minutes = math.ceil(wait / 60)
        error = ngettext("Too many log-in attempts. Try again in %(num)d minute.",
                         "Too many log-in attempts. Try again in %(num)d minutes.", minutes) % {"num": minutes}
        return _login_page(request, entered, error, 429, {"Retry-After": str(wait)})

    def check() -> console_auth.ConsoleLogin | None:
        with portal_of(request).session() as session:
            return console_auth.check_login(session, shop, email, password)

    found = await run_in_threadpool(check)
    if found is None:
        return _login_page(request, entered, gettext("Wrong shop, e-mail or password."), 401)
    request.session.clear()  # a fresh session (and CSRF token) after login
    request.session[SESSION_USER] = found.user_id
    request.session[SESSION_MERCHANT] = found.merchant_id
    request.session[SESSION_VERSION] = found.session_version
    return RedirectResponse(absolute_url(request, "admin_home"), status_code=303)


async def end_every_session(request: Request) -> None:
    """End every session of this cookie's user, on every device, and forget this one (a copy of the
    cookie stops working too; a cookie already logged out ends nothing)."""
    user_id, version = request.session.get(SESSION_USER), request.session.get(SESSION_VERSION)

    def end() -> None:
        with portal_of(request).session() as session:
            console_auth.end_sessions(session, user_id, version)

    if isinstance(user_id, int) and isinstance(version, int):
        await run_in_threadpool(end)
    request.session.clear()


async def logout(request: Request) -> Response:
    """Ends every session of this user, not only this cookie."""
    await read_form(request)
    await end_every_session(request)
    return RedirectResponse(absolute_url(request, "admin_login"), status_code=303)


REVOKED = "console_revoked"


def _filter_choices() -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        ("status", gettext("Status"), ORDER_STATUSES),
        ("payment_status", gettext("Payment"), PAYMENT_STATUSES),
        ("fulfillment_status", gettext("Fulfilment"), FULFILLMENT_STATUSES),
        ("return_status", gettext("Return"), RETURN_STATUSES),
    ]


async def home(request: Request) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)
    check_fields(request.query_params.multi_items())
    query = request.query_params.get("q", "")[:100]
    filters = {name: request.query_params.get(name, "") for name in
               ("status", "payment_status", "fulfillment_status", "return_status")}
    page_number = inputs.page_number(request.query_params.get("page", ""))

    def load():
        with portal.session() as session:
            page = upsert.search(session, merchant.id, query, filters, page_number)
            links = {o.id: portal.tracking_path(merchant, o, request.app) for o in page.orders}
            return page, links

    page, links = await run_in_threadpool(load)
    kept = {name: value for name, value in {"q": query, **filters}.items() if value}
    return render(request, "admin/home.html", {
        "orders_page": page, "links": links, "q": query, "filters": filters, "choices": _filter_choices(),
        # The pager keeps the search and the filters.
        "query": urlencode(kept) + "&" if kept else "",
        "revoked": request.session.pop(REVOKED, None),
    })


async def revoke_link(request: Request) -> Response:
    """GET: the confirmation (works without JavaScript); POST (from it): revoke the order's tracking links."""
    merchant = await require_merchant(request)
    if request.method == "POST":
        await read_form(request)
    order_id = id_param(request, "order_id")
    actor = console_actor(request)

    def revoke() -> str | None:
        with portal_of(request).session() as session:
            order = upsert.by_id(session, merchant.id, order_id)
            if order is None:
                return None
            if request.method == "POST":
                upsert.revoke_links(session, order, actor)
            return order.number

    number = await run_in_threadpool(revoke)
    if number is None:
        raise HTTPException(404)
    if request.method == "GET":
        return render(request, "admin/revoke.html", {"order_id": order_id, "number": number})
    request.session[REVOKED] = number
    return RedirectResponse(absolute_url(request, "admin_home"), status_code=303)


routes = [
    Route("/admin/login", login, methods=["GET", "POST"], name="admin_login"),
    Route("/admin/logout", logout, methods=["POST"], name="admin_logout"),
    Route("/admin/", home, name="admin_home"),
    Route("/admin/orders/{order_id}/revoke", revoke_link, methods=["GET", "POST"], name="admin_revoke_link"),
]
