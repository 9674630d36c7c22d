"""Console pages that take uploads larger than the app-wide body cap (the CSV import, the theme
editor's images), and explain a body that is too large on the page itself.

Starlette's body limit answers a body that declares itself too big with a bare English "Content
Too Large" in place of whatever the page says. So the limit for these routes is raised to the
declared size, and the page refuses such a body unread, with its own words; the limit then only
stops bodies that do not declare their length (the page turns that 413 into the same words)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


def declared_length(scope: Scope) -> int | None:
    try:
        return int(Headers(scope=scope)["content-length"])
    except (KeyError, ValueError):
        return None


class UploadLimit:
    """Lets this route's bodies grow to `cap(scope)` bytes, or to the size they declare."""

    def __init__(self, app: ASGIApp, cap: Callable[[Scope], int]) -> None:
        self.app = app
        self.cap = cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = max(self.cap(scope), declared_length(scope) or 0)
        await RequestBodyLimitMiddleware(self.app, max_body_size=limit)(scope, receive, send)
