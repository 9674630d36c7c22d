"""The console's order page (/admin/orders/{id}): the whole order for staff, its staff timeline, and
what staff do there (a note, the tags, the tracking e-mail again, a custom status). Every form is
a POST with its CSRF token that answers with a redirect back to the page, or the page with the
error; another shop's order is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.hosts import absolute_url
from portal.merchants import Merchant
from portal.orders import staff_order
from portal.orders.staff_order import StaffOrderError
from portal.orders.upsert import OrderInputError
from portal.pages import render
from portal.routes.admin import console_actor, id_param, read_form, require_merchant
from portal.web import portal_of

# Which form an error belongs to, so the page shows it there.
FORMS = ("note", "tags", "email", "custom_status")


async def order_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    return await _render_order(request, merchant, id_param(request, "order_id"))


async def _render_order(request: Request, merchant: Merchant, order_id: int, errors: dict[str, str] | None = None,
                        values: dict[str, str] | None = None) -> Response:
    portal = portal_of(request)

    def load():
        with portal.session() as session:
            whole = staff_order.load(session, merchant, order_id)
            return whole, portal.tracking_path(merchant, whole.order, request.app) if whole else ""

    whole, path = await run_in_threadpool(load)
    if whole is None:
        raise HTTPException(404)
    return render(request, "admin/order.html", {
        "whole": whole, "view": whole.view, "order": whole.order, "statuses": whole.statuses,
        "link": portal.settings.base_url.rstrip("/") + path, "errors": errors or {}, "values": values or {},
        "saved": "" if errors else request.query_params.get("saved", "")[:20],
    }, status_code=422 if errors else 200)


async def _act(request: Request, form_name: str, action: Callable[..., Any], multiline: tuple[str, ...] = (),
               field: str = "") -> Response:
    """Run one staff action (in the write queue), then back to the page: the form's error with the
    value as typed, or a redirect that says it was saved."""
    merchant = await require_merchant(request)
    form = await read_form(request, multiline)
    order_id = id_param(request, "order_id")
    actor = console_actor(request)
    value = str(form.get(field) or "") if field else ""

    def run():
        with portal_of(request).session() as session:
            return action(session, merchant, order_id, value, actor)

    try:
        result = await portal_of(request).write(run)
    except (StaffOrderError, OrderInputError) as exc:
        message = exc.errors[0]["message"] if isinstance(exc, OrderInputError) else str(exc)
        return await _render_order(request, merchant, order_id, {form_name: message}, {field: value} if field else {})
    if not result:
        raise HTTPException(404)
    return RedirectResponse(absolute_url(request, "admin_order", order_id=order_id) + f"?saved={form_name}",
                            status_code=303)


async def add_note(request: Request) -> Response:
    return await _act(request, "note", staff_order.add_note, multiline=("note",), field="note")


async def set_tags(request: Request) -> Response:
    return await _act(request, "tags", staff_order.set_tags, field="tags")


async def resend_email(request: Request) -> Response:
    return await _act(request, "email", lambda session, merchant, order_id, _value, actor:
                      staff_order.resend_tracking_email(session, merchant, order_id, actor))


async def set_custom_status(request: Request) -> Response:
    return await _act(request, "custom_status", staff_order.set_custom_status, field="custom_status")


routes = [
    Route("/admin/orders/{order_id}", order_page, methods=["GET"], name="admin_order"),
    Route("/admin/orders/{order_id}/notes", add_note, methods=["POST"], name="admin_order_note"),
    Route("/admin/orders/{order_id}/tags", set_tags, methods=["POST"], name="admin_order_tags"),
    Route("/admin/orders/{order_id}/tracking-email", resend_email, methods=["POST"], name="admin_order_email"),
    Route("/admin/orders/{order_id}/custom-status", set_custom_status, methods=["POST"],
          name="admin_order_custom_status"),
]
