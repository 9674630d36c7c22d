"""create_app(settings) -> Starlette. No I/O at import: everything is built in create_app/lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette_compress import CompressMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from portal import demo, hosts
from portal.analytics import counting
from portal.live import hub
from portal.notify import outbox_worker
from portal.middleware import SecurityHeadersMiddleware
from portal.routes import (
    admin,
    admin_account,
    admin_order,
    admin_embed,
    admin_import,
    admin_returns,
    admin_theme,
    admin_webhooks,
    analytics,
    api,
    api_returns,
    embed,
    events,
    feedback,
    history,
    notifications,
    returns,
    shopper,
    static_files,
    statuses,
    theme_assets,
    translations,
    webhooks,
)
from portal.routes.api import ApiError, api_error_response
from portal.settings import Settings
from portal.store.db import make_engine
from portal.web import Portal, merchant_of_path
from portal.pages import render

log = logging.getLogger("portal")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def index(request: Request) -> Response:
    demo_shops = demo.front_page_shops() if request.app.state.portal.settings.demo else []
    return render(request, "index.html", {"demo_shops": demo_shops})


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/webhooks/")


def _error_template(request: Request) -> str:
    # The console's errors keep the console's header and lead back into it.
    return "admin/error.html" if request.url.path.startswith("/admin/") else "error.html"


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (301, 302, 303, 307) and exc.headers and "Location" in exc.headers:
        return RedirectResponse(exc.headers["Location"], status_code=exc.status_code)
    if _wants_json(request):
        error = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "error")
        return JSONResponse({"error": error, "message": exc.detail}, status_code=exc.status_code,
                            headers=exc.headers)
    # Only a detail we wrote for the reader, not the status's English phrase Starlette fills in.
    detail = None if exc.detail == HTTPStatus(exc.status_code).phrase else exc.detail
    return render(request, _error_template(request), {"status": exc.status_code, "detail": detail},
                  status_code=exc.status_code, headers=exc.headers, merchant=await merchant_of_path(request))


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_json(request):
        return JSONResponse({"error": "server_error", "message": "Something went wrong on our side."},
                            status_code=500)
    try:
        return render(request, _error_template(request), {"status": 500}, status_code=500)
    except Exception:  # the error page itself failed: still never a stack trace
        return PlainTextResponse("Something went wrong on our side. Please try again.", status_code=500)


async def client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up mid-body: nobody is listening, and nothing was written.
    return Response(status_code=400)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return api_error_response(exc)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    portal = Portal.build(settings, engine)
    hub.attach(engine, portal.live)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        # Before uvicorn hands this process its first connection.
        await run_in_threadpool(portal.warm_up)
        async with hub.listening(engine, portal.live, settings.live_poll_seconds), \
                outbox_worker.embedded(portal, app), counting.flushing(portal):
            yield
        await portal.limits.close()
        engine.dispose()

    routes = [
        # Shop routes first: the most requested, and their `shop` convertor never claims /admin, /api, ...
        *shopper.routes,
        *history.routes,
        *feedback.routes,
        *returns.routes,
        Route("/", index, name="index"),
        Route("/healthz", healthz, name="healthz"),
        *static_files.routes,
        # Then ingestion, hundreds a second at peak: compared with every console route first, a
        # webhook tried some thirty patterns before its own.
        *webhooks.routes,
        *api.routes,
        *api_returns.routes,
        *admin.routes,
        *admin_order.routes,
        *admin_account.routes,
        *admin_embed.routes,
        *admin_theme.routes,
        *admin_import.routes,
        *embed.routes,
        *admin_webhooks.routes,
        *statuses.routes,
        *translations.routes,
        *theme_assets.routes,
        *events.routes,
        *notifications.routes,
        *analytics.routes,
        *admin_returns.routes,
    ]
    # The client address and scheme: what the connection says, unless it comes from a proxy named
    # in PORTAL_FORWARDED_ALLOW_IPS (then that proxy's X-Forwarded-For / X-Forwarded-Proto).
    proxies = [ip.strip() for ip in settings.forwarded_allow_ips.split(",") if ip.strip()]
    middleware = [Middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)] if proxies else []
    middleware += [
        # Brotli or gzip, as the browser accepts; live streams are flushed event by event, never held.
        Middleware(CompressMiddleware, zstd=False, brotli_quality=5, gzip_level=6),
        Middleware(SecurityHeadersMiddleware),
        Middleware(hosts.AllowedHostsMiddleware, allowed=hosts.allowed_hosts(settings),
                   merchant_hosts=portal.merchant_hosts, read=portal.read),
        Middleware(
            SessionMiddleware,
            secret_key=settings.resolved_secret_key,
            session_cookie="portal_session",
            max_age=settings.session_max_age,
            same_site="lax",
            https_only=settings.https_only_cookies,
        ),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=middleware,
        exception_handlers={
            HTTPException: http_error, ApiError: api_error, ClientDisconnect: client_gone, Exception: server_error,
        },
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
    )
    app.state.portal = portal
    app.state.url_paths = {}
    return app
