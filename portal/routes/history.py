"""Order history by e-mail link: asking for it (/{shop}/orders), the list it opens
(/{shop}/history/{token}), and the console's "send order history" on an order."""

from __future__ import annotations

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import inputs
from portal.hosts import absolute_url
from portal.i18n import gettext
from portal.orders import history
from portal.routes.admin import id_param, read_form, require_merchant
from portal.routes.shopper import FIELD_MAX, FULL, over_lookup_limit
from portal.security import CSRF_FIELD, csrf_valid
from portal.web import portal_of

NO_STORE = {"Cache-Control": "private, no-store"}


def _plausible_email(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain.strip(".")) and len(value) <= 254 and not inputs.text_problem(value) \
        and not any(c.isspace() for c in value)


async def request_form(request: Request) -> Response:
    merchant, _ = await FULL.open(request)
    return FULL.render(request, merchant, "history_request.html", {"form": {}})


async def request_submit(request: Request) -> Response:
    merchant, _ = await FULL.open(request)
    portal = portal_of(request)
    started = time.monotonic()

    limited = await over_lookup_limit(request, FULL, merchant, "history")
    if limited is not None:
        return limited
    form = await request.form()
    email = str(form.get("email") or "")[:FIELD_MAX].strip()
    error = None
    if not csrf_valid(request.session, str(form.get(CSRF_FIELD) or "")):
        error = gettext("This form has expired. Please send it again.")
    elif not _plausible_email(email):
        error = gettext("Enter the e-mail address you used when you ordered.")
    if error:
        return FULL.render(request, merchant, "history_request.html", {"form": {"email": email}, "error": error},
                           status_code=422)

    # An address already sent its share of e-mails is answered the same way, and sent nothing more:
    # nobody can flood someone's inbox through the shop.
    if await portal.hit_limit(portal.settings.history_email_rate_limit, "history-address", merchant.slug,
                        email.lower()) is None:
        def queue() -> bool:
            with portal.session() as session:
                return history.request_history(session, merchant, email, request.state.locale)

        await portal.write(queue)
    # One answer whether or not the shop has orders for the address, padded to the same minimum
    # time, so neither the page nor the clock tells.
    elapsed = time.monotonic() - started
    await asyncio.sleep(max(0.0, portal.settings.lookup_failure_floor_ms / 1000 - elapsed))
    return FULL.render(request, merchant, "history_request.html", {"form": {}, "sent": True}, headers=NO_STORE)


async def history_page(request: Request) -> Response:
    merchant, _ = await FULL.open(request)
    portal = portal_of(request)
    token = request.path_params["token"]

    def load():
        with portal.session() as session:
            entries = history.open_history(session, portal.settings, merchant, token)
            if entries is None:
                return None
            return [(entry, FULL.path(request, "order_page", shop=merchant.slug, token=portal.link_token(entry.order)))
                    for entry in entries]

    found = await portal.read(load) if len(token) <= 200 else None
    if found is None:
        error = gettext("This link has expired or is not valid. Ask for a new one below.")
        return FULL.render(request, merchant, "history_request.html", {"form": {}, "error": error},
                           status_code=404, headers=NO_STORE)
    return FULL.render(request, merchant, "history.html", {"entries": found}, headers=NO_STORE)


async def console_send(request: Request) -> Response:
    """The console order page's "send order history": the same e-mail, to the order's address."""
    merchant = await require_merchant(request)
    await read_form(request)
    order_id = id_param(request, "order_id")

    def send() -> bool | None:
        with portal_of(request).session() as session:
            return history.send_for_order(session, merchant.id, order_id)

    sent = await run_in_threadpool(send)
    if sent is None:
        raise HTTPException(404)
    outcome = "sent" if sent else "no-email"
    return RedirectResponse(absolute_url(request, "admin_order", order_id=order_id) + f"?history={outcome}",
                            status_code=303)


routes = [
    Route("/{shop:shop}/orders", request_form, methods=["GET"], name="history_request"),
    Route("/{shop:shop}/orders", request_submit, methods=["POST"], name="history_submit"),
    Route("/{shop:shop}/history/{token}", history_page, methods=["GET"], name="history_page"),
    Route("/admin/orders/{order_id}/send-history", console_send, methods=["POST"], name="admin_send_history"),
]
