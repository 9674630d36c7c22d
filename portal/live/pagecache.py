"""Rendered order pages kept in memory, keyed by their ETag.

The ETag already names everything a page depends on (order and merchant versions, locale, theme,
day, estimate currency), so a page rendered once can be served again to the next request for the
same version without touching the database beyond the one-row stamp lookup or rendering a template.
Entries expire after a few minutes so relative phrases ("2 hours ago") stay fresh.
"""

from __future__ import annotations

from collections.abc import Hashable

from cachetools import TTLCache
from starlette.responses import Response

MAX_PAGES = 4096
PAGE_SECONDS = 300
# Never replay these: they belong to the visitor who caused the first render.
_PRIVATE_HEADERS = frozenset({"set-cookie", "content-length"})


class PageCache:
    def __init__(self, maxsize: int = MAX_PAGES, ttl: float = PAGE_SECONDS) -> None:
        self._pages: TTLCache = TTLCache(maxsize=maxsize, ttl=ttl)
        self.enabled = maxsize > 0

    def get(self, key: Hashable) -> Response | None:
        entry = self._pages.get(key)
        if entry is None:
            return None
        body, status, headers = entry
        return Response(body, status_code=status, headers=headers)

    def put(self, key: Hashable, response: Response) -> None:
        if not self.enabled:
            return
        headers = {k: v for k, v in response.headers.items() if k.lower() not in _PRIVATE_HEADERS}
        self._pages[key] = (bytes(response.body), response.status_code, headers)

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        self._pages.clear()
