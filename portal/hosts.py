"""Which Host headers the portal serves, and the origin its redirects point at.

A Host header is the client's word: served only when it is one of PORTAL_ALLOWED_HOSTS, the host of
PORTAL_BASE_URL or a host a merchant configured; and no URL the portal writes is built from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from portal.settings import Settings, parse_allowed_hosts
from portal.store import queries
from portal.store.db import session_scope

# What `make run` and a developer's browser use when PORTAL_ALLOWED_HOSTS is not set.
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1")
# The scope key under which a request that came in on a merchant's configured host carries it.
MERCHANT_HOST_KEY = "portal.merchant_host"


def allowed_hosts(settings: Settings) -> list[str]:
    """PORTAL_ALLOWED_HOSTS (or the development default) and the host of PORTAL_BASE_URL."""
    own = urlsplit(settings.base_url).hostname
    hosts = [*(parse_allowed_hosts(settings.allowed_hosts) or DEFAULT_ALLOWED_HOSTS), *([own] if own else [])]
    return list(dict.fromkeys(hosts))


class MerchantHosts:
    """The hosts merchants configured, read again once `seconds` have passed or a merchant changed
    in this process: a host set with `portal merchant set` is served without a restart."""

    def __init__(self, engine: Engine, seconds: float) -> None:
        self._engine = engine
        self._seconds = seconds
        self._hosts: frozenset[str] = frozenset()
        self._until = 0.0

    @property
    def stale(self) -> bool:
        return time.monotonic() >= self._until

    def current(self) -> frozenset[str]:
        if self.stale:
            until = time.monotonic() + self._seconds
            with session_scope(self._engine) as session:
                self._hosts = frozenset(host.lower() for host in queries.merchant_hosts(session))
            self._until = until
        return self._hosts

    def forget(self) -> None:
        self._until = 0.0


class AllowedHostsMiddleware:
    """Starlette's TrustedHostMiddleware (400 for any other host) for the portal's own hosts, with
    merchants' configured hosts let through too: they change while the portal runs."""

    def __init__(self, app: ASGIApp, allowed: list[str], merchant_hosts: MerchantHosts,
                 read: Callable[..., Any]) -> None:
        self.app = app
        self.own = frozenset(allowed)
        self.merchant_hosts = merchant_hosts
        self.read = read  # runs the database read off the event loop where the portal does so
        self.trusted = TrustedHostMiddleware(app, allowed_hosts=allowed, www_redirect=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "").split(":")[0].lower()
            if host and host not in self.own:  # the portal's own hosts need no database
                hosts = self.merchant_hosts
                known = await self.read(hosts.current) if hosts.stale else hosts.current()
                if host in known:
                    scope[MERCHANT_HOST_KEY] = host
                    await self.app(scope, receive, send)
                    return
        await self.trusted(scope, receive, send)


def absolute_url(request: Request, name: str, **params: Any) -> str:
    """A route's absolute URL (for a redirect): on the merchant's host when the request came in on
    it, else on PORTAL_BASE_URL."""
    base = urlsplit(request.app.state.portal.settings.base_url)
    host = request.scope.get(MERCHANT_HOST_KEY) or base.netloc
    return f"{base.scheme}://{host}{base.path.rstrip('/')}{request.app.url_path_for(name, **params)}"
