"""What a shopper's browser downloads for a demo order page: first view and repeat view, every theme.

Counted from Chromium's own network events (DevTools protocol): bytes on the wire, headers included,
for every request the page makes until the network is idle. The live-update stream is left out of
both figures: it is a connection that stays open (and reopens on every view), not page weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from portal import demo

pytestmark = pytest.mark.browser

FIRST_VIEW_BYTES = 30_000
FIRST_VIEW_REQUESTS = 6
# One demo shop per theme (the demo shows each built-in theme).
THEME_SHOPS = {"classic": "nordlys", "minimal": "hygge", "bold": "acme"}
# The demo's printed pages with the most on them (two parcels, a problem, a return, two currencies).
HEAVIEST = ("two shipments, partly shipped", "delivery exception", "return in progress", "paid in another currency")


@dataclass
class Transfer:
    url: str
    kind: str
    status: int = 0
    from_cache: bool = False
    wire_bytes: int = 0


@dataclass
class Traffic:
    requests: dict[str, Transfer] = field(default_factory=dict)

    def record(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", lambda e: self.requests.setdefault(
            e["requestId"], Transfer(e["request"]["url"], e.get("type", "Other"))))
        cdp.on("Network.responseReceived", lambda e: self._response(e))
        cdp.on("Network.requestServedFromCache", lambda e: self._cached(e["requestId"]))
        cdp.on("Network.loadingFinished", lambda e: self._finished(e["requestId"], e["encodedDataLength"]))

    def _response(self, event) -> None:
        transfer = self.requests.get(event["requestId"])
        if transfer:
            transfer.status = event["response"]["status"]
            transfer.from_cache |= bool(event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache"))

    def _cached(self, request_id: str) -> None:
        if request_id in self.requests:
            self.requests[request_id].from_cache = True

    def _finished(self, request_id: str, size: int) -> None:
        if request_id in self.requests:
            self.requests[request_id].wire_bytes = int(size)

    def page_weight(self) -> list[Transfer]:
        return [t for t in self.requests.values() if t.kind != "EventSource" and not t.url.startswith("data:")]


@pytest.fixture
def demo_pages(live_server, settings) -> dict[str, list[str]]:
    """theme -> the heaviest order pages the demo prints for that theme's shop."""
    # Seeded for the address it is served at, as `make run` does: the product pictures are the portal's own.
    served = settings.model_copy(update={"base_url": live_server.url})
    lines = list(demo.seed(live_server.portal.engine, served, orders_per_merchant=len(demo.SCENARIOS)))
    pages: dict[str, list[str]] = {theme: [] for theme in THEME_SHOPS}
    for line in lines:
        for theme, shop in THEME_SHOPS.items():
            if f"/{shop}/orders/" in line and line.strip().startswith(HEAVIEST):
                pages[theme].append(line.split()[-1])
    assert all(len(urls) == len(HEAVIEST) for urls in pages.values()), pages
    return pages


@pytest.mark.parametrize("theme", THEME_SHOPS)
def test_a_first_view_fits_the_budget_and_a_repeat_view_transfers_only_the_html(demo_pages, new_page, theme):
    for url in demo_pages[theme]:
        page = new_page(width=1280, height=900)
        cdp = page.context.new_cdp_session(page)
        traffic = Traffic()
        traffic.record(cdp)
        cdp.send("Network.enable")

        page.goto(url, wait_until="networkidle")
        first = traffic.page_weight()
        assert all(t.status == 200 for t in first), [(t.url, t.status) for t in first]
        total = sum(t.wire_bytes for t in first)
        assert len(first) <= FIRST_VIEW_REQUESTS, [t.url for t in first]
        assert total <= FIRST_VIEW_BYTES, (total, [(t.url, t.wire_bytes) for t in first])
        assert {t.kind for t in first} >= {"Document", "Stylesheet", "Script"}

        traffic.requests.clear()
        page.goto(url, wait_until="networkidle")
        again = traffic.page_weight()
        fetched = [t for t in again if not t.from_cache]
        assert [t.kind for t in fetched] == ["Document"], [(t.url, t.status) for t in fetched]
        assert sum(t.wire_bytes for t in again) == fetched[0].wire_bytes
        print(f"\n{theme} {url.rsplit('/', 1)[-1][:8]}: first view {total:,} B in {len(first)} requests, "
              f"repeat view {fetched[0].wire_bytes:,} B")
