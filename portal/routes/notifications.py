"""Shopper e-mail settings in the console (switches, a test to yourself, the outbox) and the unsubscribe link."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.notify import kinds, notifications
from portal.hosts import absolute_url
from portal.i18n import gettext
from portal.routes.admin import SESSION_USER, console_user, read_form, require_merchant
from portal.security import CSRF_FIELD, csrf_valid
from portal.merchants import Merchant
from portal.notify.notifications import Order
from portal.web import merchant_or_404, portal_of
from portal.pages import activate, render


# -- console ---------------------------------------------------------------------------------

async def settings_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    portal = portal_of(request)

    def load():
        with portal.session() as session:
            return notifications.recent(session, merchant.id)

    messages, numbers = await run_in_threadpool(load)
    return render(request, "admin/notifications.html", {
        "switches": [(kind, gettext(notifications.SWITCH_LABELS[kind]), notifications.enabled(merchant, kind))
                     for kind in notifications.SWITCHES],
        "user_email": console_user(request).email, "messages": messages, "numbers": numbers,
        "kind_labels": kinds.labels(),
        "smtp_configured": bool(portal.settings.smtp_host), "notice": request.query_params.get("done", ""),
    })


async def save_switches(request: Request) -> Response:
    merchant = await require_merchant(request)
    form = await read_form(request)
    on = {kind for kind in notifications.SWITCHES if form.get(kind) is not None}

    def save() -> None:
        with portal_of(request).session() as session:
            notifications.save_switches(session, merchant.id, on)

    await run_in_threadpool(save)
    return RedirectResponse(absolute_url(request, "admin_notifications") + "?done=saved", status_code=303)


async def send_test(request: Request) -> Response:
    merchant = await require_merchant(request)
    await read_form(request)

    def queue() -> bool:
        with portal_of(request).session() as session:
            return notifications.queue_test_to_user(session, merchant, request.session.get(SESSION_USER) or 0)

    if not await run_in_threadpool(queue):
        raise HTTPException(403)
    return RedirectResponse(absolute_url(request, "admin_notifications") + "?done=test", status_code=303)


# -- the shopper's unsubscribe link ----------------------------------------------------------

def _order_for(request: Request, merchant: Merchant, session) -> Order | None:
    token = request.path_params["token"]
    signer = notifications.unsubscribe_signer(portal_of(request).settings)
    public_id = signer.public_id(token)
    if public_id is None:
        return None
    order = notifications.order_to_unsubscribe(session, merchant.id, public_id)
    if order is None or not signer.verify(token, notifications.UNSUBSCRIBE_NONCE):
        return None
    return order


async def unsubscribe(request: Request) -> Response:
    """GET asks (link scanners must not unsubscribe anyone); POST does it. A mail client's one-click
    POST (RFC 8058) carries no session, so the signed token is what authorises it."""
    merchant = await merchant_or_404(request)

    def find() -> Order | None:
        with portal_of(request).session() as session:
            return _order_for(request, merchant, session)

    order = await run_in_threadpool(find)
    activate(request, merchant, order)
    form = await request.form() if request.method == "POST" else None
    one_click = form is not None and form.get("List-Unsubscribe") == "One-Click"
    if form is not None and not one_click and not csrf_valid(request.session, str(form.get(CSRF_FIELD) or "")):
        raise HTTPException(403, detail=gettext("The form expired. Go back, reload the page and try again."))

    def act() -> None:
        with portal_of(request).session() as session:
            notifications.unsubscribe(session, order)

    if order is not None and form is not None:
        await run_in_threadpool(act)
    return render(request, "unsubscribe.html",
                  {"order": order, "done": order is not None and order.email_opt_out_at is not None},
                  status_code=404 if order is None else 200, headers={"Cache-Control": "private, no-store"})


routes = [
    Route("/admin/notifications", settings_page, methods=["GET"], name="admin_notifications"),
    Route("/admin/notifications", save_switches, methods=["POST"], name="admin_notifications_save"),
    Route("/admin/notifications/test", send_test, methods=["POST"], name="admin_notifications_test"),
    Route("/{shop:shop}/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"], name="unsubscribe"),
]
