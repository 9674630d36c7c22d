"""Responses are compressed with Brotli or gzip when the browser accepts them, live streams included."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import pytest
from bs4 import BeautifulSoup

from tests.conftest import html, text_of
from tests.sse_client import Stream, post_json, run_async


@pytest.fixture
def order_link(factory, merchant):
    return factory.link(merchant, factory.order(merchant))


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_and_assets_are_compressed_for_browsers_that_accept_it(client, order_link, encoding):
    plain = client.get(order_link, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    packed = client.get(order_link, headers={"Accept-Encoding": f"{encoding}, deflate"})
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == encoding
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert "hx-request" in packed.headers["vary"].lower()  # the page's own Vary is kept
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert text_of(html(packed).find("h1")) == text_of(html(plain).find("h1"))
    script = client.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": encoding})
    assert script.headers["content-encoding"] == encoding and "htmx" in script.text


def test_a_browser_that_accepts_neither_gets_the_plain_page(client, order_link):
    response = client.get(order_link, headers={"Accept-Encoding": "zstd, br;q=0, gzip;q=0"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert html(response).find("h1")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_compressed_live_stream_delivers_each_event_at_once(live_server, factory, merchant, encoding):
    order = factory.order(merchant)
    key = factory.api_key(merchant)
    shipment = post_json(f"{live_server.url}/api/v1/orders/1001/shipments", {"tracking_number": "1Z999AA10123456784"},
                         key)
    with urllib.request.urlopen(live_server.url + factory.link(merchant, order), timeout=10) as response:
        path = BeautifulSoup(response.read(), "html.parser").select_one("[sse-connect]")["sse-connect"]

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path, {"Accept-Encoding": encoding})
        assert stream.status == 200
        assert stream.headers["content-encoding"] == encoding
        started = time.monotonic()
        await asyncio.to_thread(post_json, f"{live_server.url}/api/v1/shipments/{shipment['id']}/events",
                                {"events": [{"at": "2026-11-05T07:12:00Z", "status": "out_for_delivery"}]}, key)
        events = await stream.events(1, timeout=1.0)
        elapsed = time.monotonic() - started
        stream.close()
        return events, elapsed

    events, elapsed = run_async(scenario(), timeout=20)
    assert [e.event for e in events] == ["panel-status"]
    assert elapsed < 1.0, elapsed


def test_the_form_token_differs_on_every_page_and_each_one_works(client, factory, merchant):
    """A compressed page must not repeat a secret's bytes (BREACH): the CSRF token is masked per page."""
    factory.order(merchant)
    first, second = (html(client.get("/acme/track")).find("input", {"name": "csrf_token"})["value"] for _ in range(2))
    assert first != second
    fields = {"order_number": "1001", "contact": "shopper@example.com"}
    for token in (first, second):
        assert client.post("/acme/track", data={"csrf_token": token, **fields}).status_code == 303
    for forged in ("", first[:-4], "not base64 at all!", second[::-1]):  # an expired form, never found
        assert client.post("/acme/track", data={"csrf_token": forged, **fields}).status_code == 422
