"""An open order page in Chromium changes when a tracking event is posted through the API: no reload."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.sse_client import post_json

pytestmark = pytest.mark.browser


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_posted_tracking_event_changes_the_open_page_within_two_seconds(live_server, factory, merchant, page):
    order = factory.order(merchant)
    key = factory.api_key(merchant)
    shipment = post_json(live_server("/api/v1/orders/1001/shipments"), {"tracking_number": "1Z999AA10123456784"}, key)
    failures: list[str] = []
    page.on("response", lambda r: failures.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    panels_fetched: list[str] = []
    page.on("request", lambda request: panels_fetched.extend(parse_qs(urlparse(request.url).query).get("panel", [])))

    page.goto(live_server(factory.link(merchant, order)))
    assert page.locator("#panel-shipments .event").count() == 0
    page.evaluate("window.stillTheSamePage = true")
    wait_until(lambda: live_server.portal.live.stats()["streams"] == 1)  # the page's SSE stream is open

    started = time.monotonic()
    post_json(live_server(f"/api/v1/shipments/{shipment['id']}/events"),
              {"events": [{"at": "2026-11-05T07:12:00Z", "status": "out_for_delivery",
                           "message": "With the driver since 07:12"}]}, key)
    page.locator("#panel-shipments .event__message", has_text="With the driver since 07:12").wait_for(timeout=2000)
    assert time.monotonic() - started < 2.0

    current = page.locator("#panel-status .progress__step.is-current")
    current.wait_for(timeout=2000)
    assert current.inner_text().strip() == "Out for delivery"
    page.locator("#panel-timeline .timeline__entry--out_for_delivery").wait_for(timeout=2000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert sorted(set(panels_fetched)) == ["shipments", "status", "timeline"]  # items and details untouched
    assert failures == []


def test_without_javascript_the_page_is_complete_and_a_reload_shows_news(live_server, factory, merchant, browser):
    order = factory.order(merchant)
    key = factory.api_key(merchant)
    shipment = post_json(live_server("/api/v1/orders/1001/shipments"), {"tracking_number": "1Z999AA10123456784"}, key)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server(factory.link(merchant, order)))
        assert page.locator("section.panel").count() == 5
        post_json(live_server(f"/api/v1/shipments/{shipment['id']}/events"),
                  {"events": [{"at": "2026-11-05T09:00:00Z", "status": "delivered"}]}, key)
        page.reload()
        assert page.locator("#panel-shipments .event--delivered").count() == 1
    finally:
        context.close()
