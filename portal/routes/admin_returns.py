"""Console pages for return requests: the list by status, one request with its steps (approve,
decline, mark received, mark refunded), and the return settings (on, window, reasons)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import i18n, inputs
from portal.hosts import absolute_url
from portal.merchants import Merchant
from portal.orders import return_queue, return_rules, return_settings, return_steps
from portal.orders.return_settings import ReturnSettingsError
from portal.orders.return_steps import ReturnStepError, StepInput
from portal.pages import render
from portal.routes.admin import console_actor, id_param, read_form, require_merchant
from portal.web import portal_of


async def queue_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    status = request.query_params.get("status", "requested")
    number = inputs.page_number(request.query_params.get("page", ""))

    def load():
        with portal_of(request).session() as session:
            return return_queue.page(session, merchant.id, status, number)

    found = await run_in_threadpool(load)
    return render(request, "admin/returns.html", {
        "queue": found, "status": status if status in return_rules.STATUSES else "",
        "statuses": return_rules.STATUSES, "enabled": return_rules.enabled(merchant),
    })


async def _request_page(request: Request, merchant: Merchant, request_id: int, form: dict[str, str] | None = None,
                        error: return_steps.ReturnStepError | None = None, status_code: int = 200) -> Response:
    portal = portal_of(request)

    def load():
        with portal.session() as session:
            entry = return_queue.entry(session, merchant.id, request_id)
            return (entry, portal.tracking_path(merchant, entry.order, request.app)) if entry else None

    found = await run_in_threadpool(load)
    if found is None:
        raise HTTPException(404)
    entry, link = found
    return render(request, "admin/return.html", {
        "entry": entry, "link": link, "form": form or {}, "error": error,
        "done": request.query_params.get("done", ""),
    }, status_code=status_code)


async def request_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    return await _request_page(request, merchant, id_param(request, "return_id"))


async def take_step(request: Request) -> Response:
    merchant = await require_merchant(request)
    request_id = id_param(request, "return_id")
    raw = await read_form(request, multiline=("instructions", "reason"))
    form = {name: str(raw.get(name) or "") for name in ("action", "instructions", "label_url", "reason")}
    step = StepInput(form["action"], form["instructions"], form["label_url"], form["reason"])
    actor = console_actor(request)

    def save():
        with portal_of(request).session() as session:
            return return_steps.take(session, merchant, request_id, step, actor)

    try:
        done = await run_in_threadpool(save)
    except ReturnStepError as exc:
        status = 409 if exc.field == "action" and form["action"] in return_rules.ACTIONS else 422
        return await _request_page(request, merchant, request_id, form, exc, status)
    if done is None:
        raise HTTPException(404)
    return RedirectResponse(absolute_url(request, "admin_return", return_id=request_id) + f"?done={form['action']}",
                            status_code=303)


def _settings_locale(request: Request, merchant: Merchant, form: Any = None) -> str:
    raw = (form.get("locale") if form is not None else None) or request.query_params.get("locale") or ""
    return i18n.normalise_locale(str(raw)[:16]) or merchant.default_locale


def _settings_page(request: Request, merchant: Merchant, locale: str, form: dict[str, str] | None = None,
                   errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "admin/return_settings.html", {
        "rows": return_settings.rows(merchant), "locale": locale, "errors": errors or {},
        "form": return_settings.form_values(merchant, locale) if form is None else form,
        "default_window": return_rules.DEFAULT_WINDOW_DAYS, "saved": request.query_params.get("saved", ""),
        "languages": [(code, i18n.locale_display_name(code)) for code in portal_of(request).enabled_locales(merchant)],
    }, status_code=status_code)


async def settings_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    return _settings_page(request, merchant, _settings_locale(request, merchant))


async def save_settings(request: Request) -> Response:
    merchant = await require_merchant(request)
    raw = await read_form(request)
    form = {name: str(value) for name, value in raw.multi_items() if isinstance(value, str)}
    locale = _settings_locale(request, merchant, form)

    def save():
        with portal_of(request).session() as session:
            return_settings.save(session, merchant.id, locale, form)

    try:
        await run_in_threadpool(save)
    except ReturnSettingsError as exc:
        return _settings_page(request, merchant, locale, form, exc.errors, 422)
    return RedirectResponse(absolute_url(request, "admin_return_settings") + f"?locale={locale}&saved=1",
                            status_code=303)


routes = [
    Route("/admin/returns", queue_page, methods=["GET"], name="admin_returns"),
    Route("/admin/returns/settings", settings_page, methods=["GET"], name="admin_return_settings"),
    Route("/admin/returns/settings", save_settings, methods=["POST"], name="admin_return_settings_save"),
    Route("/admin/returns/{return_id}", request_page, methods=["GET"], name="admin_return"),
    Route("/admin/returns/{return_id}", take_step, methods=["POST"], name="admin_return_step"),
]
