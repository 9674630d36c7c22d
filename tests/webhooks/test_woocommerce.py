"""WooCommerce: the unsigned ping, signatures, money strings, plugin statuses, Shipment Tracking meta."""

from __future__ import annotations

import logging

import pytest

from portal import money
from tests.conftest import html, text_of
from tests.webhooks.support import body_of, fixture_bytes, fixture_json, sign

SECRET = "wc-secret-8d7c6b5a"


@pytest.fixture
def shop(factory):
    return factory.merchant("candles", name="Candle Co", currency="GBP", locale="en",
                            woocommerce_webhook_secret=SECRET)


def deliver(client, payload, delivery_id: str = "wc-1", topic: str = "order.updated", secret: str = SECRET):
    body = body_of(payload)
    return client.post("/webhooks/woocommerce/candles", content=body, headers={
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": "https://shop.example.co.uk/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": topic.split(".")[-1],
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": delivery_id,
        "X-WC-Webhook-Signature": sign(body, secret),
    })


def test_ping_is_answered_200_and_counted(client, shop, store):
    response = client.post("/webhooks/woocommerce/candles", content=b"webhook_id=12",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    assert store.orders(shop) == []
    assert "ping from WooCommerce webhook 12" in response.json()["reason"]
    # Unsigned, so anyone could send it: counted, not logged.
    assert store.deliveries(shop) == [] and store.refusals(shop) == {("woocommerce", "ping"): 1}


def test_order_maps_money_items_and_tracking(client, shop, store):
    response = deliver(client, fixture_bytes("woocommerce/order-updated.json"))
    assert response.status_code == 200, response.text
    order = store.order(shop, "1893")
    assert (order.number, order.source, order.customer_id) == ("1893", "woocommerce", None)
    assert (order.status, order.payment_status, order.fulfillment_status) == ("open", "paid", "unfulfilled")
    assert (order.currency, order.presentment_currency) == ("GBP", "GBP")
    # The shop's prices include tax: lines, shipping and discounts are shown with their tax, as the
    # shop showed them at checkout, and the tax is a part of the total.
    assert (order.subtotal, order.shipping, order.tax, order.discounts, order.total) == (2640, 474, 699, 480, 4189)
    assert order.taxes_included
    assert order.presentment_total == 4189
    assert order.postal_code == "BS1 4QA"
    assert order.placed_at.isoformat() == "2026-11-18T19:22:31+00:00"
    assert order.shipping_address["address2"] == "Flat 2"


def test_order_page_shows_woocommerce_order(client, shop, store, factory):
    deliver(client, fixture_bytes("woocommerce/order-updated.json"))
    doc = html(client.get(factory.link(shop, store.order(shop, "1893")) + "?lang=en"))
    assert [text_of(n) for n in doc.select(".item__title")] == ["Beeswax Candle", "Matches (gift box)"]
    assert text_of(doc.select_one(".item__variant")) == "Scent: Lavender"  # hidden _meta left out
    assert doc.select_one(".item__image")["src"].endswith("candle.jpg")
    # 3 candles at 7.20 with tax, 2.40 off the line.
    assert text_of(doc.select_one(".item__unit")) == money.format_money(720, "GBP", "en") + " × 3"
    assert text_of(doc.select_one(".item__discount")) == "Discount: −" + money.format_money(240, "GBP", "en")
    assert text_of(doc.select_one(".item__price")) == money.format_money(1920, "GBP", "en")
    assert "incl. tax" in text_of(doc.select_one(".totals__total"))
    assert text_of(doc.select_one(".totals__total dd")) == money.format_money(4189, "GBP", "en")
    shipment = doc.select_one(".shipment")
    assert text_of(shipment.select_one(".shipment__carrier")) == "Royal Mail"
    assert text_of(shipment.select_one(".tracking-number")) == "AB123456785GB"


def test_bad_signature_and_missing_secret(client, shop, factory, store):
    assert deliver(client, fixture_bytes("woocommerce/order-updated.json"), secret="nope").status_code == 401
    factory.merchant("nosecret")
    response = client.post("/webhooks/woocommerce/nosecret", content=fixture_bytes("woocommerce/order-updated.json"),
                           headers={"X-WC-Webhook-Signature": "x", "X-WC-Webhook-Topic": "order.updated"})
    assert response.status_code == 401
    assert store.orders(shop) == []


def test_duplicate_delivery(client, shop, store):
    assert deliver(client, fixture_bytes("woocommerce/order-updated.json"), "d-1").json()["result"] == "stored"
    assert deliver(client, fixture_bytes("woocommerce/order-updated.json"), "d-1").json()["result"] == "duplicate"
    assert len(store.receipts(shop)) == 1


@pytest.mark.parametrize("status, expected", [
    ("shipped", ("open", "paid", "fulfilled")),
    ("partial-shipped", ("open", "paid", "partially_fulfilled")),
    ("awaiting-shipment", ("open", "paid", "in_progress")),
    ("wc-refund-requested", ("open", "refunded", "unfulfilled")),
    ("cancel-request", ("cancelled", "paid", "unfulfilled")),
    ("lottery-won", ("open", "paid", "unfulfilled")),
])
def test_plugin_statuses_are_tolerated(client, shop, store, caplog, status, expected):
    payload = fixture_json("woocommerce/order-updated.json")
    payload["status"] = status
    with caplog.at_level(logging.WARNING, logger="portal.ingest"):
        assert deliver(client, payload).status_code == 200
    order = store.order(shop, "1893")
    assert (order.status, order.payment_status, order.fulfillment_status) == expected
    assert order.raw_statuses == {"status": status}
    assert repr(status) in caplog.text


def test_refunds_make_a_paid_order_partially_refunded(client, shop, store):
    payload = fixture_json("woocommerce/order-updated.json")
    payload["refunds"] = [{"id": 1901, "reason": "Broken candle", "total": "-6.00"}]
    deliver(client, payload)
    assert store.order(shop, "1893").payment_status == "partially_refunded"


def test_other_topics_are_ignored(client, shop, store):
    assert deliver(client, {"id": 5, "name": "Candle"}, topic="product.updated").json()["result"] == "ignored"
    assert store.orders(shop) == []


def test_an_order_sent_without_its_total_gets_it_from_the_rest(client, shop, store):
    payload = fixture_json("woocommerce/order-updated.json")
    del payload["total"]
    assert deliver(client, payload).json()["result"] == "stored"
    order = store.order(shop, "1893")
    # Subtotal + shipping − discounts (the prices include the tax), not 0.
    assert order.total == order.subtotal + order.shipping - order.discounts > 0
