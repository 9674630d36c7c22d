"""The webhook path on PostgreSQL: exact big ids, receipts' uniqueness, the delivery log and its pruning,
the counts of refused deliveries."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal.ingest import webhook_refusals
from portal.store import queries
from portal.store.db import session_scope
from portal.store.models import Order, utcnow
from tests import pg_server
from tests.conftest import Factory
from tests.test_postgres import pg_app, pg_base  # noqa: F401  (fixtures)
from tests.webhooks.support import fixture_bytes, sign

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed (make test installs it)")]


def test_shopify_deliveries_on_postgres(pg_app):  # noqa: F811
    factory = Factory(pg_app.state.portal)
    shop = factory.merchant("nordlys", currency="NOK", shopify_webhook_secret="pg-secret")
    engine = pg_app.state.portal.engine

    def deliver(client, name: str, topic: str, webhook_id: str, secret: str = "pg-secret"):
        body = fixture_bytes(name)
        return client.post("/webhooks/shopify/nordlys", content=body, headers={
            "X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Hmac-Sha256": sign(body, secret)})

    with TestClient(pg_app) as client:
        assert deliver(client, "shopify/orders-create.json", "orders/create", "w1").json()["result"] == "stored"
        assert deliver(client, "shopify/orders-create.json", "orders/create", "w1").json()["result"] == "duplicate"
        assert deliver(client, "shopify/orders-updated.json", "orders/updated", "w2").json()["result"] == "stored"
        assert deliver(client, "shopify/orders-updated.json", "orders/updated", "w3", "bad").status_code == 401
        assert deliver(client, "shopify/orders-updated.json", "orders/updated", "w4", "bad").status_code == 401

    with session_scope(engine) as session:
        order = queries.order_by_external_id(session, shop.id, "shopify", "7123456789012345679")
        assert isinstance(order, Order) and order.fulfillment_status == "partially_fulfilled"
        assert (order.presentment_total, order.total) == (18150, 209600)
        assert [d.result for d in queries.webhook_deliveries(session, shop.id)] == ["stored", "duplicate", "stored"]
        assert webhook_refusals.last_day(session, shop.id) == [
            webhook_refusals.RefusalTotal("shopify", "bad_signature", 2)]
        queries.prune_webhook_deliveries(session, shop.id, keep=1)
        queries.prune_webhook_receipts(session, shop.id, utcnow())
    with session_scope(engine) as session:
        assert len(queries.webhook_deliveries(session, shop.id)) == 1
        assert queries.receipt_body_hash(session, shop.id, "shopify", "w1") is None
