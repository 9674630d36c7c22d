"""Server-Sent Events through a real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import pytest

from portal.orders.upsert import revoke_links
from portal.store.db import session_scope
from portal.store.models import Order
from tests.conftest import html
from tests.sse_client import Stream, post_json, run_async

SHIPPING_EVENTS = ["panel-status", "panel-shipments", "panel-timeline"]


@pytest.fixture
def settings(settings):
    settings.live_heartbeat_seconds = 0.3
    settings.live_stream_rate_limit = "3/minute"
    return settings


@pytest.fixture
def shop(live_server, factory, merchant):
    """An order with one shipment, its tracking link and an API key."""
    order = factory.order(merchant)
    key = factory.api_key(merchant)
    shipment = post_json(f"{live_server.url}/api/v1/orders/1001/shipments",
                         {"tracking_number": "1Z 999 AA1 0123 456 784"}, key)
    return {"order": order, "link": factory.link(merchant, order), "key": key, "shipment": shipment["id"]}


def events_path(live_server, link: str) -> str:
    """The stream URL exactly as the page hands it to the browser."""
    with urllib.request.urlopen(live_server.url + link, timeout=10) as response:
        page = html(type("R", (), {"text": response.read().decode()})())
    return page.select_one("[sse-connect]")["sse-connect"]


def run(scenario):
    return run_async(scenario(), timeout=20)


def wait_until(condition, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_posted_tracking_event_is_announced_within_a_second(live_server, shop):
    path = events_path(live_server, shop["link"])

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path)
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        started = time.monotonic()
        await asyncio.to_thread(post_json, f"{live_server.url}/api/v1/shipments/{shop['shipment']}/events",
                                {"events": [{"at": "2026-11-05T07:12:00Z", "status": "out_for_delivery"}]},
                                shop["key"])
        events = await stream.events(3, timeout=1.0)
        elapsed = time.monotonic() - started
        stream.close()
        return events, elapsed

    events, elapsed = run(scenario)
    assert elapsed < 1.0, elapsed
    assert [e.event for e in events] == SHIPPING_EVENTS  # items and details did not change
    with session_scope(live_server.portal.engine) as session:
        version = session.get(Order, shop["order"].id).version
    assert {e.id for e in events} == {str(version)}


def test_heartbeats_keep_an_idle_stream_alive(live_server, shop):
    path = events_path(live_server, shop["link"])

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path)
        messages = [await stream.next(2.0) for _ in range(2)]
        stream.close()
        return messages

    messages = run(scenario)
    assert all(m is not None and m.comment and m.comment.startswith("ping") for m in messages)


def test_a_page_that_missed_news_is_told_on_connect(live_server, shop):
    path = events_path(live_server, shop["link"]).replace("?v=", "?v=1&old=")

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path)
        events = await stream.events(6, timeout=2.0)
        stream.close()
        return events

    assert [e.event for e in run(scenario)] == [
        "panel-status", "panel-shipments", "panel-items", "panel-returns", "panel-timeline", "panel-details"]


def test_a_version_no_page_sends_is_read_as_none(live_server, shop):
    """"²" and "٣" pass str.isdigit(); the stream still opens, as for a page with no version."""
    path = events_path(live_server, shop["link"])
    broker = live_server.portal.live

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path.replace("?v=", "?v=%C2%B2&old="),
                                   headers={"Last-Event-ID": "\u0663"})
        status = stream.status
        stream.close()
        return status

    assert run(scenario) == 200
    assert wait_until(lambda: broker.stats()["streams"] == 0)


def test_streams_a_client_opens_are_rate_limited_and_disconnects_leak_nothing(live_server, shop):
    path = events_path(live_server, shop["link"])
    broker = live_server.portal.live
    state = live_server.server.server_state

    async def scenario():
        streams = [await Stream.open(live_server.host, live_server.port, path) for _ in range(3)]
        refused = await Stream.open(live_server.host, live_server.port, path)
        assert [s.status for s in streams] == [200, 200, 200]
        assert refused.status == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        refused.close()
        assert broker.stats()["streams"] == 3
        for stream in streams:  # the browser tab goes away mid-stream
            stream.writer.transport.abort()
        await asyncio.sleep(0)

    run(scenario)
    assert wait_until(lambda: broker.stats() == {"streams": 0, "orders": 0, "clients": 0})
    assert wait_until(lambda: not state.connections and not state.tasks)


@pytest.mark.parametrize("bound, status", [("max_total", 503), ("max_per_client", 429)])
def test_a_server_holds_at_most_its_number_of_streams_in_all_and_per_client(live_server, shop, bound, status):
    setattr(live_server.portal.live, bound, 1)
    path = events_path(live_server, shop["link"])

    async def scenario():
        held = await Stream.open(live_server.host, live_server.port, path)
        refused = await Stream.open(live_server.host, live_server.port, path)
        held.close()
        refused.close()
        return held.status, refused.status, refused.headers.get("retry-after")

    assert run(scenario) == (200, status, "30")


def test_idle_streams_time_out(live_server, shop):
    live_server.portal.settings.live_idle_timeout_seconds = 0.5
    path = events_path(live_server, shop["link"])

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path)
        started = time.monotonic()
        events = await stream.events(1, timeout=3.0)
        stream.close()
        assert events == [] and stream.ended  # ended without any event
        return time.monotonic() - started

    assert run(scenario) < 2.0
    assert wait_until(lambda: live_server.portal.live.stats()["streams"] == 0)


def test_revoked_link_closes_the_stream(live_server, shop):
    path = events_path(live_server, shop["link"])

    async def scenario():
        stream = await Stream.open(live_server.host, live_server.port, path)

        def revoke():
            with session_scope(live_server.portal.engine) as session:
                revoke_links(session, session.get(Order, shop["order"].id))

        await asyncio.to_thread(revoke)
        events = await stream.events(2, timeout=2.0)
        stream.close()
        return events, stream.ended

    events, ended = run(scenario)
    assert [e.event for e in events] == ["closed"] and ended

    async def reopen():
        stream = await Stream.open(live_server.host, live_server.port, path)
        stream.close()
        return stream.status

    assert run(reopen) == 404


def test_bad_tokens_and_other_shops_get_no_stream(live_server, shop, factory):
    factory.merchant("other")
    path = events_path(live_server, shop["link"])

    async def scenario():
        statuses = []
        for bad in (path.replace("/acme/", "/other/"), path.replace("/events", "x/events"), "/nope/orders/x/events"):
            stream = await Stream.open(live_server.host, live_server.port, bad)
            statuses.append(stream.status)
            stream.close()
        return statuses

    assert run(scenario) == [404, 404, 404]
