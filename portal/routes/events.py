"""Server-Sent Events for an open order page: "these panels changed", within a second of the commit.

The stream carries no order data, only panel names and the new version; the page fetches the
panels through the order page URL, like a poll. One stream per open page; how many a client may
open is rate limited like lookups (shared by every process through PORTAL_RATE_LIMIT_STORAGE).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from portal import inputs
from portal.live import hub
from portal.routes.shopper import client_key, order_stamp
from portal.web import merchant_or_404, portal_of

# Sent when the order's links were revoked; the page's sse-close attribute names it.
CLOSE_EVENT = "closed"


class LiveStream(EventSourceResponse):
    """An SSE response that always gives its subscription back, however the stream ends."""

    def __init__(self, broker: hub.Broker, subscription: hub.Subscription, **kwargs) -> None:
        super().__init__(**kwargs)
        self.broker, self.subscription = broker, subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.broker.unsubscribe(self.subscription)


def _since(request: Request) -> int:
    """The version the page shows: ?v= from the page, or Last-Event-ID when the browser reconnects."""
    values = [request.query_params.get("v", ""), request.headers.get("last-event-id", "")]
    return max((inputs.whole_number(v, 11) or 0 for v in values), default=0)


def _changed(panels: set[str] | frozenset[str], version: int) -> bytes:
    """One event per changed panel, in page order, sent as one write (a change is announced to
    every open page of the order at once: one write each keeps that fan-out cheap)."""
    return b"".join(
        ServerSentEvent(data=str(version), event=f"panel-{name}", id=str(version) if version else None).encode()
        for name in hub.PANELS if name in panels
    )


async def order_events(request: Request) -> Response:
    portal = portal_of(request)
    settings = portal.settings
    since = _since(request)
    stamp = await order_stamp(request, await merchant_or_404(request))
    if stamp is None:
        return PlainTextResponse("This tracking link is not valid any more.", status_code=404)
    wait = await portal.hit_limit(settings.live_stream_rate_limit, "live", client_key(request))
    if wait is not None:
        return PlainTextResponse("Too many live connections from this client.", status_code=429,
                                 headers={"Retry-After": str(wait)})
    try:
        subscription = portal.live.subscribe(stamp.id, client_key(request))
    except hub.TooManyStreams as exc:
        if exc.client is not None:
            return PlainTextResponse("Too many live connections from this client.", status_code=429,
                                     headers={"Retry-After": "30"})
        return PlainTextResponse("Too many live connections on this server.", status_code=503,
                                 headers={"Retry-After": "30"})

    async def stream() -> AsyncIterator[ServerSentEvent | bytes]:
        if since and stamp.version > since:  # changed between the page render and this stream
            yield _changed(set(hub.PANELS), stamp.version)
        while True:
            news = await subscription.wait(settings.live_idle_timeout_seconds)
            if subscription.revoked:
                yield ServerSentEvent(data="", event=CLOSE_EVENT)
                return
            if news is None:
                return  # idle: end the stream; the browser reconnects and resumes from its version
            yield _changed(*news)

    return LiveStream(
        portal.live, subscription,
        content=stream(), ping=settings.live_heartbeat_seconds, send_timeout=settings.live_send_timeout_seconds,
        headers={"Cache-Control": "no-store", "Vary": "Cookie"},
    )


routes = [
    Route("/{shop:shop}/orders/{token}/events", order_events, name="order_events"),
]
