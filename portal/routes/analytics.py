"""The console's analytics page (/admin/analytics) and its tables as CSV files."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.analytics import periods, reports
from portal.routes.admin import check_fields, require_merchant
from portal.web import portal_of
from portal.pages import render


async def analytics_page(request: Request) -> Response:
    merchant = await require_merchant(request)
    check_fields(request.query_params.multi_items())
    days = periods.days_of(request.query_params.get("days"))

    def load() -> reports.AnalyticsPage:
        with portal_of(request).session() as session:
            return reports.page(session, merchant, days)

    report = await run_in_threadpool(load)
    return render(request, "admin/analytics.html", {"report": report, "days": days, "choices": periods.CHOICES},
                  headers={"Cache-Control": "private, no-store"})


async def analytics_csv(request: Request) -> Response:
    merchant = await require_merchant(request)
    check_fields(request.query_params.multi_items())
    name = request.path_params["table"]
    days = periods.days_of(request.query_params.get("days"))

    def load() -> str | None:
        with portal_of(request).session() as session:
            return reports.csv_file(session, merchant, name, days)

    text = await run_in_threadpool(load) if name in reports.CSV_FILES else None
    if text is None:
        raise HTTPException(404)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{merchant.slug}-{name}-{days}d.csv"',
        "Cache-Control": "private, no-store"})


routes = [
    Route("/admin/analytics", analytics_page, methods=["GET"], name="admin_analytics"),
    Route("/admin/analytics/{table}.csv", analytics_csv, methods=["GET"], name="admin_analytics_csv"),
]
