"""Custom statuses: the per-merchant colour stylesheet, and the console pages that define them (an
order's own is set on its page: routes/admin_order.py)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import inputs
from portal.orders import custom_statuses
from portal.orders.custom_statuses import CustomStatus, CustomStatusError, StatusInput
from portal.hosts import absolute_url
from portal.merchants import Merchant
from portal.routes.admin import read_form, id_param, require_merchant
from portal.routes.theme_assets import CSS, cache_control_for, cached_response
from portal.statuses import PROGRESS_STEPS
from portal.web import merchant_or_404, portal_of
from portal.pages import render


async def stylesheet(request: Request) -> Response:
    """`.custom-status--<key> { --custom-status-color: … }` for every status of the shop."""
    merchant = await merchant_or_404(request)

    def load() -> tuple[str, str]:
        with portal_of(request).session() as session:
            statuses = custom_statuses.of_merchant(session, merchant.id)
            return custom_statuses.stylesheet(statuses), custom_statuses.css_version(statuses)

    body, digest = await run_in_threadpool(load)
    digest = digest or "none"
    # Cached like the theme's own stylesheets: for a year under the `?v=` the pages link, else revalidated.
    return cached_response(request, body, CSS, digest, cache_control_for(request, digest))


# -- console ---------------------------------------------------------------------------------

def _status_input(form: FormData, locales: list[str]) -> StatusInput:
    step = str(form.get("progress_step") or "").strip()
    return StatusInput(
        key=str(form.get("key") or "")[:100],
        labels={code: str(form.get(f"label_{code}") or "")[:200] for code in locales},
        color=str(form.get("color") or "")[:100],
        # A value the form's choices never send is refused as a step that does not exist (-1).
        progress_step=None if not step else (-1 if inputs.whole_number(step, 3) is None else int(step)),
        visible_to_shopper=form.get("visible_to_shopper") is not None,
        send_email=form.get("send_email") is not None,
        tags=str(form.get("tags") or "")[:2000].split(","),
    )


def _label_locales(request: Request, merchant: Merchant) -> list[str]:
    enabled = portal_of(request).enabled_locales(merchant)
    return [merchant.default_locale] + [code for code in enabled if code != merchant.default_locale]


def _form_values(status: CustomStatus | None) -> dict[str, Any]:
    if status is None:
        return {"visible_to_shopper": True, "color": "#2454c5"}
    return {
        "key": status.key, "color": status.color, "progress_step": status.progress_step,
        "visible_to_shopper": status.visible_to_shopper, "send_email": status.send_email,
        "tags": ", ".join(status.tags), **{f"label_{code}": text for code, text in status.labels.items()},
    }


def _render_statuses(request: Request, merchant: Merchant, statuses: list[CustomStatus],
                     editing: CustomStatus | None = None, form: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None) -> Response:
    return render(request, "admin/statuses.html", {
        "statuses": statuses, "editing": editing, "form": form if form is not None else _form_values(editing),
        "errors": errors or {}, "label_locales": _label_locales(request, merchant), "steps": PROGRESS_STEPS,
    }, status_code=422 if errors else 200)


async def statuses_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    status_id = id_param(request, "status_id") if "status_id" in request.path_params else None

    def load():
        with portal_of(request).session() as session:
            statuses = custom_statuses.of_merchant(session, merchant.id)
            editing = custom_statuses.by_id(session, merchant.id, status_id) if status_id else None
            return statuses, editing

    statuses, editing = await run_in_threadpool(load)
    if status_id and editing is None:
        raise HTTPException(404)
    return _render_statuses(request, merchant, statuses, editing)


async def save_status(request: Request) -> Response:
    merchant = await require_merchant(request)
    form = await read_form(request)
    status_id = id_param(request, "status_id") if "status_id" in request.path_params else None
    data = _status_input(form, _label_locales(request, merchant))

    def save():
        with portal_of(request).session() as session:
            status = custom_statuses.by_id(session, merchant.id, status_id) if status_id else None
            if status_id and status is None:
                raise HTTPException(404)
            try:
                custom_statuses.save(session, merchant, data, status)
            except CustomStatusError as exc:
                session.rollback()
                return exc.errors, custom_statuses.of_merchant(session, merchant.id), status
            return None, [], None

    errors, statuses, editing = await run_in_threadpool(save)
    if errors:
        values = {key: value for key, value in form.items() if key != "csrf_token"}
        values["visible_to_shopper"] = "visible_to_shopper" in form
        values["send_email"] = "send_email" in form
        return _render_statuses(request, merchant, statuses, editing, values, errors)
    return RedirectResponse(absolute_url(request, "admin_statuses"), status_code=303)


async def delete_status(request: Request) -> Response:
    merchant = await require_merchant(request)
    await read_form(request)
    status_id = id_param(request, "status_id")

    def remove() -> bool:
        with portal_of(request).session() as session:
            status = custom_statuses.by_id(session, merchant.id, status_id)
            if status is None:
                return False
            custom_statuses.delete(session, merchant, status)
            return True

    if not await run_in_threadpool(remove):
        raise HTTPException(404)
    return RedirectResponse(absolute_url(request, "admin_statuses"), status_code=303)


routes = [
    Route("/{shop:shop}/custom-statuses.css", stylesheet, name="custom_statuses_css"),
    Route("/admin/statuses", statuses_page, methods=["GET"], name="admin_statuses"),
    Route("/admin/statuses", save_status, methods=["POST"], name="admin_status_create"),
    Route("/admin/statuses/{status_id}", statuses_page, methods=["GET"], name="admin_status"),
    Route("/admin/statuses/{status_id}", save_status, methods=["POST"], name="admin_status_update"),
    Route("/admin/statuses/{status_id}/delete", delete_status, methods=["POST"], name="admin_status_delete"),
]
