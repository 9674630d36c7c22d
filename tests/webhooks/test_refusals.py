"""Deliveries that cannot be verified are counted (per shop, platform and hour), never logged one row
each, and a client that sends too many of them is told to wait: strangers cannot flush the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from limits import parse as parse_limit
from starlette.testclient import TestClient

from portal.store.models import utcnow
from tests.conftest import html, text_of
from tests.test_security import login
from tests.webhooks.support import fixture_bytes, sign

SECRET = "shpss_refusal_secret"
BODY = fixture_bytes("shopify/orders-create.json")


@pytest.fixture
def shop(factory):
    merchant = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", shopify_webhook_secret=SECRET)
    factory.user(merchant)
    return merchant


def shopify(client, webhook_id: str, signature: str | None, body: bytes = BODY):
    headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": webhook_id}
    if signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature
    return client.post("/webhooks/shopify/nordlys", content=body, headers=headers)


def console(client):
    login(client, "nordlys")
    return html(client.get("/admin/webhooks"))


def logged(page) -> list[tuple[str, str]]:
    return [(row["data-result"], text_of(row.find_all("td")[3])) for row in page.select("tr.delivery")]


def counts(page) -> dict[tuple[str, str], str]:
    return {(item["data-platform"], item["data-kind"]): text_of(item)
            for item in page.select(".webhook-refusals [data-kind]")}


def test_a_flood_of_unsigned_deliveries_leaves_the_log_and_shows_a_count(client, shop):
    assert shopify(client, "real-1", sign(BODY, SECRET)).json()["result"] == "stored"
    assert shopify(client, "real-1", sign(BODY, SECRET)).json()["result"] == "duplicate"

    answers = [shopify(client, f"forged-{n}", None) for n in range(1100)]

    page = console(client)
    assert logged(page) == [("duplicate", "real-1"), ("stored", "real-1")]
    limit = parse_limit(client.app.state.portal.settings.unverified_webhook_rate_limit).amount
    statuses = [answer.status_code for answer in answers]
    assert statuses[:limit] == [401] * limit
    assert set(statuses[limit:]) == {429}
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].json()["error"] == "rate_limited"
    assert counts(page) == {("shopify", "bad_signature"):
                            f"Shopify: {limit} refused deliveries (bad signature) in the last 24 h"}


def test_without_a_limit_every_refusal_is_counted_and_none_is_logged(settings, shop):
    from portal.app import create_app

    app = create_app(settings.model_copy(update={"unverified_webhook_rate_limit": "5000/minute"}))
    with TestClient(app) as client:
        shopify(client, "real-1", sign(BODY, SECRET))
        assert {shopify(client, f"forged-{n}", "bm90IGl0").status_code for n in range(1100)} == {401}
        page = console(client)
    assert logged(page) == [("stored", "real-1")]
    assert counts(page) == {("shopify", "bad_signature"):
                            "Shopify: 1100 refused deliveries (bad signature) in the last 24 h"}


def test_each_kind_of_unverified_delivery_is_counted_per_platform(settings, factory, shop):
    from portal.app import create_app

    factory.merchant("candles", woocommerce_webhook_secret="wc-secret")
    app = create_app(settings.model_copy(update={"max_body_bytes": len(BODY) - 1}))
    with TestClient(app) as client:
        assert shopify(client, "too-big", sign(BODY, SECRET)).status_code == 413
        assert shopify(client, "wrong", sign(b"{}", "not-the-secret"), b"{}").status_code == 401
        ping = client.post("/webhooks/woocommerce/nordlys", content=b"webhook_id=12",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert ping.status_code == 200 and ping.json()["result"] == "ignored"
        unset = client.post("/webhooks/bigcommerce/nordlys", content=b"{}", headers={"X-Portal-Hmac-Sha256": "x"})
        assert unset.status_code == 401 and "no bigcommerce webhook secret" in unset.json()["message"]
        # Another shop's refusals are its own.
        assert client.post("/webhooks/woocommerce/candles", content=b"{}").status_code == 401
        page = console(client)
    assert logged(page) == []
    assert counts(page) == {
        ("shopify", "bad_signature"): "Shopify: 1 refused delivery (bad signature) in the last 24 h",
        ("shopify", "too_large"): "Shopify: 1 refused delivery (body too large) in the last 24 h",
        ("woocommerce", "ping"): "WooCommerce: 1 unsigned ping (the address works) in the last 24 h",
        ("bigcommerce", "no_secret"): "BigCommerce: 1 refused delivery (no webhook secret set) in the last 24 h",
    }


def test_a_client_over_the_limit_still_delivers_signed_orders(client, shop, store):
    limit = parse_limit(client.app.state.portal.settings.unverified_webhook_rate_limit).amount
    for n in range(limit + 1):
        shopify(client, f"forged-{n}", None)
    assert shopify(client, "forged-again", None).status_code == 429
    assert shopify(client, "real-1", sign(BODY, SECRET)).json()["result"] == "stored"
    assert [o.number for o in store.orders(shop)] == ["#2041"]


def test_counts_older_than_a_day_are_not_shown(client, shop, portal):
    from portal.ingest import webhook_refusals

    webhook_refusals.count(portal.engine, shop.id, "shopify", "bad_signature", now=utcnow() - timedelta(hours=25))
    webhook_refusals.count(portal.engine, shop.id, "shopify", "bad_signature", now=utcnow() - timedelta(hours=2))
    webhook_refusals.count(portal.engine, shop.id, "shopify", "bad_signature")
    assert counts(console(client)) == {("shopify", "bad_signature"):
                                       "Shopify: 2 refused deliveries (bad signature) in the last 24 h"}


def test_the_count_is_translated(client, shop):
    shopify(client, "forged", None)
    login(client, "nordlys")
    page = html(client.get("/admin/webhooks?lang=de", headers={"Accept-Language": "de"}))
    (item,) = page.select(".webhook-refusals [data-kind]")
    assert "refused" not in text_of(item) and "1" in text_of(item)
