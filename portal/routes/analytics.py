"""The console's analytics page (/admin/analytics) and its tables as CSV files."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.analytics import delays, periods, reports
from portal.hosts import absolute_url
from portal.i18n import gettext
from portal.merchants import Merchant
from portal.routes.admin import check_fields, read_form, require_merchant, save_settings
from portal.web import portal_of
from portal.pages import render


async def analytics_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    check_fields(request.query_params.multi_items())
    return await _page(request, merchant, periods.days_of(request.query_params.get("days")))


async def _page(request: Request, merchant: Merchant, days: int, error: str | None = None) -> Response:
    report = await run_in_threadpool(reports.page, portal_of(request).session, merchant, days)
    return render(request, "admin/analytics.html", {
        "report": report, "days": days, "choices": periods.CHOICES, "error": error,
        "saved": request.query_params.get("saved") == "1",
    }, status_code=422 if error else 200, headers={"Cache-Control": "private, no-store"})


async def save_delay_settings(request: Request) -> Response:
    """The shop's `stale_after_days` and `delay_digest` (as `portal merchant set` takes them)."""
    merchant = await require_merchant(request)
    form = await read_form(request)
    values = {"stale_after_days": str(form.get("stale_after_days") or "").strip(),
              "delay_digest": "on" if form.get("delay_digest") else "off"}
    saved = await save_settings(request, merchant, values, "admin_analytics")
    if isinstance(saved, str):  # only the number of days can be refused
        low, high = delays.STALE_DAYS_RANGE
        error = gettext("Enter a whole number of days from %(low)d to %(high)d.") % {"low": low, "high": high}
        return await _page(request, merchant, periods.DEFAULT_DAYS, error=error)
    return saved


async def analytics_csv(request: Request) -> Response:
    merchant = await require_merchant(request)
    check_fields(request.query_params.multi_items())
    name = request.path_params["table"]
    days = periods.days_of(request.query_params.get("days"))

    def load() -> str | None:
        with portal_of(request).session() as session:
            return reports.csv_file(session, merchant, name, days,
                                    lambda order_id: absolute_url(request, "admin_order", order_id=order_id))

    text = await run_in_threadpool(load) if name in reports.CSV_FILES else None
    if text is None:
        raise HTTPException(404)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{merchant.slug}-{name}-{days}d.csv"',
        "Cache-Control": "private, no-store"})


routes = [
    Route("/admin/analytics", analytics_page, methods=["GET"], name="admin_analytics"),
    Route("/admin/analytics/settings", save_delay_settings, methods=["POST"], name="admin_analytics_settings"),
    Route("/admin/analytics/{table}.csv", analytics_csv, methods=["GET"], name="admin_analytics_csv"),
]
