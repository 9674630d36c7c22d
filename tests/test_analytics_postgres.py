"""The analytics page's figures on PostgreSQL: the same known data sets, the same answers as on SQLite."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal.analytics import counting
from tests import pg_server
from tests.conftest import Factory, console_login
from tests.test_analytics_carriers import seed as seed_carriers, table
from tests.test_analytics_delays import late, seed as seed_delays
from tests.test_analytics_usage import emailed_before, lookup, stats
from tests.test_postgres import pg_app, pg_base  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)")]


def test_analytics_on_postgres(pg_app):  # noqa: F811
    portal = pg_app.state.portal
    factory = Factory(portal)
    factory.app_router = pg_app
    merchant = factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example")
    seed_carriers(factory, merchant)
    ids = seed_delays(factory, merchant)
    order = factory.order(merchant, number="#5001")
    with TestClient(pg_app, follow_redirects=False) as client:
        link = factory.link(merchant, order)
        client.get(link)
        client.get(link + "?via=email")
        assert lookup(client, "acme", "#5001", "nobody@example.com") == 404
        emailed_before(portal, merchant, order.id, days_ago=1)
        counting.store(portal, portal.usage.take())

        console_login(client, factory, merchant)
        figures = stats(client)
        assert (figures["views"], figures["orders_viewed"], figures["lookups_missed"]) == ("2", "1", "1")
        assert figures["opened_from_email"] == "100% (1 of 1)"
        assert table(client)[("dhl", "DE")][1:] == ["Germany", "1", "1", "1.5", "1.5", "–", "0%"]
        assert [number for number, *_ in late(client)] == ["#4001", "#4007", "#4002"]
        assert late(client)[0][1] == f"/admin/orders/{ids['#4001']}"
