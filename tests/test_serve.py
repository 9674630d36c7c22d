"""`portal serve` as an operator runs it: gunicorn with uvicorn workers, in a child process on loopback."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from pathlib import Path

import pytest

from portal.app import create_app
from portal.settings import Settings
from tests.conftest import TEST_SECRET, Factory
from tests.portal_process import Server
from tests.sse_client import Stream, run_async
from tests.test_events import events_path

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")


def sqlite_settings(tmp_path: Path) -> dict[str, str]:
    return {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/portal.db", "PORTAL_SECRET_KEY": TEST_SECRET,
            "PORTAL_INSTANCE_DIR": str(tmp_path / "instance")}


def shop_on(env: dict[str, str], server: Server) -> dict:
    """A merchant with an order, a parcel, an API key and the order's link, written beside the server."""
    app = create_app(Settings(database_url=env["PORTAL_DATABASE_URL"], secret_key=TEST_SECRET,
                              instance_dir=Path(env["PORTAL_INSTANCE_DIR"]), base_url=server.url, _env_file=None))
    factory = Factory(app.state.portal)
    factory.app_router = app
    merchant = factory.merchant("acme")
    order = factory.order(merchant)
    key = factory.api_key(merchant)
    shipment = request(server, "POST", "/api/v1/orders/1001/shipments", {"tracking_number": "1Z999AA10123456784"}, key)
    return {"link": factory.link(merchant, order), "key": key, "shipment": shipment[1]["id"]}


def request(server: Server, method: str, path: str, body: dict | None = None, key: str = "",
            headers: dict[str, str] | None = None, connection: http.client.HTTPConnection | None = None):
    own = connection is None
    connection = connection or server.connect()
    sent = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {}), **(headers or {})}
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data.startswith((b"{", b"[")) else data
    finally:
        if own:
            connection.close()


async def quiet(stream: Stream, seconds: float = 1.5) -> None:
    """Read what the stream says until it has been silent for `seconds` (longer than a poll)."""
    try:
        while await stream.next(seconds) is not None:
            pass
    except TimeoutError:
        pass


def test_with_two_workers_an_open_page_hears_of_an_event_whichever_worker_took_it(tmp_path):
    # SQLite, one machine: each worker reads the changes the others committed (live_changes)
    # about once a second, so the shopper's page updates whichever worker the carrier's post reached.
    env = sqlite_settings(tmp_path)
    server = Server(env, tmp_path / "server.log", workers=2)
    try:
        shop = shop_on(env, server)
        path = events_path(server, shop["link"])
        events_url = f"/api/v1/shipments/{shop['shipment']}/events"

        async def scenario():
            stream = await Stream.open("127.0.0.1", server.port, path)
            assert stream.status == 200
            await quiet(stream)  # the order's creation, read from live_changes after the page opened
            page_worker = server.owner(stream.writer.get_extra_info("sockname")[1])
            taken_by: dict[str, float] = {}
            for hour in range(10, 40):  # new connections until each worker has taken a post
                connection = server.connect()
                connection.connect()
                worker = "same" if server.owner(connection.sock.getsockname()[1]) == page_worker else "other"
                started = time.monotonic()
                status, _ = await asyncio.to_thread(
                    request, server, "POST", events_url,
                    {"events": [{"at": f"2026-11-05T{hour % 24:02d}:{hour:02d}:00Z", "status": "in_transit",
                                 "message": f"Scan {hour}"}]}, shop["key"], connection=connection)
                connection.close()
                assert status in (200, 201)
                heard = await stream.events(3, timeout=2.0)
                assert [e.event for e in heard] == ["panel-status", "panel-shipments", "panel-timeline"], worker
                taken_by.setdefault(worker, time.monotonic() - started)
                if len(taken_by) == 2:
                    break
            stream.close()
            return taken_by

        taken_by = run_async(scenario(), timeout=120)
        assert set(taken_by) == {"same", "other"}, "every post landed on the page's own worker"
        assert max(taken_by.values()) < 2.0, taken_by
    finally:
        assert server.stop() == 0


def test_a_client_on_loopback_cannot_choose_its_rate_limit_key(tmp_path):
    # By default no proxy is believed, not even one on the same host: X-Forwarded-For does not
    # make each of these lookups a new client.
    env = {**sqlite_settings(tmp_path), "PORTAL_LOOKUP_RATE_LIMIT": "10/minute"}
    server = Server(env, tmp_path / "server.log", workers=1)
    try:
        shop_on(env, server)
        statuses = [request(server, "POST", "/acme/track", headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
                    for n in range(11)]
        assert 429 not in statuses[:10] and statuses[10] == 429
    finally:
        assert server.stop() == 0


def test_sigterm_stops_the_workers_with_a_live_stream_open(tmp_path):
    env = sqlite_settings(tmp_path)
    server = Server(env, tmp_path / "server.log", workers=2)
    shop = shop_on(env, server)
    path = events_path(server, shop["link"])
    workers = server.workers()

    async def scenario():
        stream = await Stream.open("127.0.0.1", server.port, path)
        started = time.monotonic()
        code = await asyncio.to_thread(server.stop)
        stream.close()
        return stream.status, code, time.monotonic() - started

    status, code, took = run_async(scenario(), timeout=60)
    assert (status, code) == (200, 0), server.output()
    assert took < 30  # the stream was closed for the shutdown, not waited on until killed
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert server.output().count("Application shutdown complete") == 2
