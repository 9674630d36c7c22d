"""Live updates on PostgreSQL: two app servers on one database hear each other's changes (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import time

import pytest

from portal.app import create_app
from portal.orders.shipments import add_events
from portal.schemas import EventIn
from portal.settings import Settings
from portal.store.db import session_scope
from portal.store.models import Order, Shipment
from tests import pg_server
from tests.conftest import TEST_SECRET, Factory, serving
from tests.sse_client import Stream, post_json, run_async
from tests.test_events import SHIPPING_EVENTS, events_path

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)")]


@pytest.fixture(scope="module")
def pg_url():
    with pg_server.postgres_server() as base:
        yield pg_server.migrated_database(base, "portal_live")


def app_server(url: str, tmp_path):
    return create_app(Settings(database_url=url, secret_key=TEST_SECRET, instance_dir=tmp_path,
                               base_url="http://testserver", _env_file=None))


def test_two_app_servers_share_change_notifications(pg_url, tmp_path):
    first, second = app_server(pg_url, tmp_path), app_server(pg_url, tmp_path)
    factory = Factory(first.state.portal)
    factory.app_router = first
    merchant = factory.merchant("acme")
    order = factory.order(merchant)
    key = factory.api_key(merchant)
    link = factory.link(merchant, order)
    with serving(first) as a, serving(second) as b:
        shipment = post_json(f"{a.url}/api/v1/orders/1001/shipments", {"tracking_number": "1Z999AA10123456784"}, key)
        path = events_path(b, link)

        def failed_transaction():
            with pytest.raises(RuntimeError):
                with session_scope(first.state.portal.engine) as session:
                    fresh = session.get(Order, order.id)
                    add_events(session, fresh, session.get(Shipment, shipment["id"]),
                               [EventIn(at="2026-11-05T06:00:00Z", status="exception")])
                    raise RuntimeError("rolled back: PostgreSQL drops its NOTIFY")

        async def scenario():
            on_a = await Stream.open(a.host, a.port, path)
            on_b = await Stream.open(b.host, b.port, path)
            await asyncio.to_thread(failed_transaction)
            silent = await asyncio.gather(on_a.events(1, timeout=0.5), on_b.events(1, timeout=0.5),
                                          return_exceptions=True)
            started = time.monotonic()
            await asyncio.to_thread(post_json, f"{a.url}/api/v1/shipments/{shipment['id']}/events",
                                    {"events": [{"at": "2026-11-05T07:12:00Z", "status": "out_for_delivery"}]}, key)
            heard = await asyncio.gather(on_a.events(3, timeout=1.0), on_b.events(3, timeout=1.0))
            elapsed = time.monotonic() - started
            on_a.close()
            on_b.close()
            return silent, heard, elapsed

        silent, heard, elapsed = run_async(scenario())
        assert all(isinstance(result, TimeoutError) for result in silent), silent
        assert [e.event for e in heard[0]] == SHIPPING_EVENTS  # the server that made the change
        assert [e.event for e in heard[1]] == SHIPPING_EVENTS  # and the other one, through PostgreSQL
        assert elapsed < 1.0
    for app in (first, second):
        app.state.portal.engine.dispose()
