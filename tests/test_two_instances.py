"""Past one machine: two `portal serve` instances on two ports, one PostgreSQL, one Redis, and two
`portal worker` processes, every one a real process started by the test (docs/deploy.md)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.app import create_app
from portal.settings import Settings
from portal.store.db import make_engine
from tests import pg_server, redis_server
from tests.conftest import TEST_SECRET, Factory
from tests.portal_process import PortalProcess, Server
from tests.smtp_server import SmtpServer
from tests.sse_client import Stream, run_async
from tests.test_events import events_path
from tests.test_serve import request

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)"),
    pytest.mark.skipif(not redis_server.available(), reason="redis-server is not installed (make test installs it)"),
]
ORDERS = 12


@pytest.fixture(scope="module")
def pg_url():
    with pg_server.postgres_server() as base:
        yield pg_server.migrated_database(base, "portal_two")


@pytest.fixture(scope="module")
def redis_url():
    with redis_server.redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def env(pg_url, redis_url, smtp, tmp_path_factory) -> dict[str, str]:
    return {"PORTAL_DATABASE_URL": pg_url, "PORTAL_RATE_LIMIT_STORAGE": redis_url,
            "PORTAL_SECRET_KEY": TEST_SECRET, "PORTAL_INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            "PORTAL_LOOKUP_RATE_LIMIT": "10/minute", "PORTAL_LOOKUP_FAILURE_FLOOR_MS": "30",
            "PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(smtp.port), "PORTAL_SMTP_STARTTLS": "false",
            "PORTAL_WORKER_POLL_SECONDS": "0.2"}


@pytest.fixture(scope="module")
def instances(env, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    a = Server(env, logs / "a.log")
    b = Server(env, logs / "b.log")
    yield a, b
    assert a.stop() == 0 and b.stop() == 0


@pytest.fixture(scope="module")
def shop(env, instances):
    a, _ = instances
    app = create_app(Settings(database_url=env["PORTAL_DATABASE_URL"], secret_key=TEST_SECRET,
                              instance_dir=Path(env["PORTAL_INSTANCE_DIR"]), base_url=a.url, _env_file=None))
    factory = Factory(app.state.portal)
    factory.app_router = app
    merchant = factory.merchant("acme")
    orders = [factory.order(merchant, number=f"#{1001 + n}") for n in range(ORDERS)]
    yield {"key": factory.api_key(merchant), "link": factory.link(merchant, orders[0])}
    app.state.portal.engine.dispose()


def test_a_tracking_event_posted_to_one_instance_reaches_a_page_open_on_the_other(instances, shop):
    a, b = instances
    status, shipment = request(a, "POST", "/api/v1/orders/1001/shipments", {"tracking_number": "1Z999AA10123456784"},
                               shop["key"])
    assert status == 201
    path = events_path(b, shop["link"])

    async def scenario():
        stream = await Stream.open("127.0.0.1", b.port, path)
        started = time.monotonic()
        posted = await asyncio.to_thread(request, a, "POST", f"/api/v1/shipments/{shipment['id']}/events",
                                         {"events": [{"at": "2026-11-05T07:12:00Z", "status": "out_for_delivery"}]},
                                         shop["key"])
        heard = await stream.events(3, timeout=2.0)
        elapsed = time.monotonic() - started
        stream.close()
        return stream.status, posted[0], [e.event for e in heard], elapsed

    status, posted, heard, elapsed = run_async(scenario())
    assert (status, posted) == (200, 201)
    assert heard == ["panel-status", "panel-shipments", "panel-timeline"]
    assert elapsed < 2.0


def test_failed_lookups_spread_over_both_instances_meet_one_limit(instances, shop):
    statuses = [request(instances[n % 2], "POST", "/acme/track")[0] for n in range(15)]
    assert 429 not in statuses[:10]
    assert statuses[10:] == [429] * 5


def test_two_mail_workers_send_each_queued_email_once(env, instances, shop, smtp, tmp_path):
    for n in range(1, ORDERS):  # a shipment each: "on its way", one e-mail per order
        status, _ = request(instances[n % 2], "POST", f"/api/v1/orders/{1001 + n}/shipments",
                            {"carrier": "DHL", "tracking_number": f"PARCEL{1001 + n}"}, shop["key"])
        assert status == 201
    engine = make_engine(env["PORTAL_DATABASE_URL"])
    with engine.connect() as connection:
        queued = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
    workers = [PortalProcess(["worker"], env, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        deadline = time.monotonic() + 30
        while len(smtp.inbox.messages) < queued and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # five rounds of both workers: a second copy would come now
    finally:
        for worker in workers:
            assert worker.stop() == 0, worker.output()
    with engine.connect() as connection:
        states = Counter(connection.execute(text("SELECT state FROM outbox")).scalars())
    engine.dispose()
    assert queued >= ORDERS - 1 and states == {"sent": queued}
    assert len(smtp.inbox.messages) == queued
    assert len({message["Message-ID"] for message in smtp.inbox.messages}) == queued
    shipped = Counter(message["Subject"] for message in smtp.inbox.messages if "on its way" in message["Subject"])
    assert all(shipped[f"Your order #{1001 + n} is on its way"] == 1 for n in range(1, ORDERS)), shipped
