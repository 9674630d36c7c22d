"""The scale path: the same app on PostgreSQL (a real server started by the test)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from portal.app import create_app
from portal.settings import Settings
from portal.store.db import make_engine, migrate
from tests import pg_server
from tests.conftest import TEST_SECRET, Factory, html, order_data, text_of
from tests.webhooks.support import late_older_version_is_ignored, refund_and_update_at_once_keep_both

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)")]
_databases = itertools.count()


@pytest.fixture(scope="module")
def pg_base():
    with pg_server.postgres_server() as url:
        yield url


@pytest.fixture
def pg_app(pg_base, tmp_path):
    name = f"portal_test_{next(_databases)}"
    admin = create_engine(pg_base + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = pg_base + name
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    settings = Settings(database_url=url, secret_key=TEST_SECRET, instance_dir=tmp_path, base_url="http://testserver",
                        lookup_failure_floor_ms=10, _env_file=None)
    app = create_app(settings)
    yield app
    app.state.portal.engine.dispose()


def test_order_api_lookup_and_page_on_postgres(pg_app):
    factory = Factory(pg_app.state.portal)
    factory.app_router = pg_app
    merchant = factory.merchant("acme")
    rival = factory.merchant("rival")
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    with TestClient(pg_app, follow_redirects=False) as client:
        big_id = str(2**63 - 25)
        created = client.post("/api/v1/orders", headers=auth, json=order_data(
            external_id=big_id, shipments=[{"tracking_number": "1Z999AA10123456784",
                                            "events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit"}]}]))
        assert created.status_code == 201, created.text
        assert created.json()["external_id"] == big_id
        updated = client.post("/api/v1/orders", headers=auth,
                              json=order_data(external_id=big_id, payment_status="refunded"))
        assert updated.status_code == 200 and updated.json()["payment_status"] == "refunded"
        bad = client.post("/api/v1/orders", headers=auth, json=order_data(number="2", currency="NOPE"))
        assert bad.status_code == 422

        rival_key = {"Authorization": f"Bearer {factory.api_key(rival)}"}
        assert client.get("/api/v1/orders/1001", headers=rival_key).status_code == 404

        form = html(client.get("/acme/track")).find("input", {"name": "csrf_token"})["value"]
        found = client.post("/acme/track", data={"csrf_token": form, "order_number": "1001",
                                                 "contact": "shopper@example.com"})
        assert found.status_code == 303
        page = html(client.get(found.headers["location"]))
        assert "#1001" in text_of(page.find("h1"))
        assert page.select_one("#panel-shipments .badge")["data-status"] == "in_transit"


def test_carrier_events_in_bulk_on_postgres(pg_app):
    """The bulk path's prepared statements (plain-row reads, executemany writes) on PostgreSQL:
    both parcels delivered, the order fulfilled, e-mails queued once, a repeat changes nothing."""
    from datetime import datetime, timedelta, timezone

    factory = Factory(pg_app.state.portal)
    merchant = factory.merchant("acme")
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    numbers = ("1Z999AA10123456784", "9400111899223197428490")
    soon = datetime.now(timezone.utc) - timedelta(hours=1)
    events = [{"tracking_number": number, "at": (soon + timedelta(minutes=minutes)).isoformat(), "status": status}
              for number in numbers for minutes, status in ((0, "InTransit"), (30, "Delivered"))]
    with TestClient(pg_app, follow_redirects=False) as client:
        data = order_data(shipments=[{"tracking_number": numbers[0]}, {"tracking_number": numbers[1], "carrier": "USPS"}])
        assert client.post("/api/v1/orders", headers=auth, json=data).status_code == 201
        first = client.post("/api/v1/events", headers=auth, json={"events": events + [
            {"tracking_number": "NOPE123", "at": soon.isoformat(), "status": "InTransit"}]}).json()
        assert (first["added"], first["unknown"]) == (4, 1)
        again = client.post("/api/v1/events", headers=auth, json={"events": events}).json()
        assert (again["added"], again["duplicates"]) == (0, 4)
        # Older news from another feed: stored, but each parcel's latest after it still wins.
        older = client.post("/api/v1/events", headers=auth, json={"events": [
            {"tracking_number": number, "at": (soon - timedelta(days=1)).isoformat(), "status": "InfoReceived"}
            for number in numbers]}).json()
        assert older["added"] == 2
        order = client.get("/api/v1/orders/1001", headers=auth).json()
    assert order["fulfillment_status"] == "fulfilled"
    assert [s["status"] for s in order["shipments"]] == ["delivered", "delivered"]
    assert [len(s["events"]) for s in order["shipments"]] == [3, 3]
    with pg_app.state.portal.engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM outbox ORDER BY id")).scalars().all()
    assert kinds.count("delivered") == 2


def test_an_order_changed_by_another_worker_after_it_was_read_is_read_again_on_postgres(pg_app, monkeypatch):
    """PostgreSQL has no database-wide write lock: the order's row is locked, its version checked."""
    late_older_version_is_ignored(pg_app.state.portal, Factory(pg_app.state.portal).merchant("acme"), monkeypatch)


def test_a_refund_and_an_update_of_its_order_at_once_both_land_on_postgres(pg_app, monkeypatch):
    """The refund's order's row is locked: the other worker's update waits for its commit."""
    refund_and_update_at_once_keep_both(pg_app.state.portal, Factory(pg_app.state.portal).merchant("acme"), monkeypatch)


def test_times_at_both_ends_of_what_postgresql_holds_render_and_are_outranked(pg_app):
    """Events at year 1 and 9999 (stored before the accepted range) in a shop 12 hours behind UTC:
    the page renders, a bulk event out of range is invalid alone, and a valid one moves the parcel."""
    from datetime import datetime, timedelta, timezone

    from portal.merchants import apply_settings
    from portal.orders.upsert import number_key
    from portal.store import queries
    from portal.store.models import Merchant, TrackingEvent

    portal = pg_app.state.portal
    factory = Factory(portal)
    factory.app_router = pg_app
    merchant = factory.merchant("acme")
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    number = "1Z999AA10123456784"
    with TestClient(pg_app, follow_redirects=False) as client:
        assert client.post("/api/v1/orders", headers=auth,
                           json=order_data(shipments=[{"tracking_number": number}])).status_code == 201
        with portal.session() as session:
            apply_settings(session, session.get(Merchant, merchant.id), {"timezone": "Etc/GMT+12"})
            shipment_id = client.get("/api/v1/orders/1001", headers=auth).json()["shipments"][0]["id"]
            session.add_all([
                TrackingEvent(shipment_id=shipment_id, at=datetime(1, 1, 1, tzinfo=timezone.utc), status="pending"),
                TrackingEvent(shipment_id=shipment_id, at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
                              status="delivered"),
            ])
            session.commit()
        news = [{"tracking_number": number, "at": "9999-12-31T23:59:59-12:00", "status": "exception"},
                {"tracking_number": number, "at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
                 "status": "out_for_delivery"}]
        body = client.post("/api/v1/events", headers=auth, json={"events": news}).json()
        assert [result["result"] for result in body["results"]] == ["invalid", "added"]
        with portal.session() as session:
            order = queries.order_by_number_key(session, merchant.id, number_key("1001"))
        page = client.get(factory.link(merchant, order))
        assert page.status_code == 200
        assert html(page).select_one("#panel-shipments .badge")["data-status"] == "out_for_delivery"
