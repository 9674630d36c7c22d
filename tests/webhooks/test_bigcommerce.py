"""BigCommerce: the signed receiver, the API-key full-order endpoint, v2 shapes, two currencies."""

from __future__ import annotations

import pytest

from portal import money
from portal.store import queries
from portal.store.db import session_scope
from tests.conftest import html, text_of
from tests.webhooks.support import body_of, fixture_bytes, fixture_json, sign

SECRET = "bc-hook-secret-51f0e2"


@pytest.fixture
def shop(factory):
    return factory.merchant("kaffeehaus", name="Kaffeehaus", currency="USD", bigcommerce_webhook_secret=SECRET)


def deliver(client, payload, delivery_id: str | None = None, secret: str = SECRET):
    body = body_of(payload)
    headers = {"Content-Type": "application/json", "X-Portal-Hmac-Sha256": sign(body, secret)}
    if delivery_id:
        headers["X-Portal-Delivery-Id"] = delivery_id
    return client.post("/webhooks/bigcommerce/kaffeehaus", content=body, headers=headers)


def test_full_order_in_two_currencies(client, shop, store):
    response = deliver(client, fixture_bytes("bigcommerce/order-full.json"), "bc-1")
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "stored"
    order = store.order(shop, "4817")
    assert (order.number, order.source, order.customer_id) == ("4817", "bigcommerce", "352")
    # The shopper paid in EUR (4-decimal strings rounded to cents); the store's USD is derived
    # with the order's own exchange rate (0.92 EUR per USD).
    assert (order.presentment_currency, order.currency) == ("EUR", "USD")
    assert (order.presentment_subtotal, order.presentment_shipping, order.presentment_tax) == (9655, 690, 1866)
    assert (order.presentment_discounts, order.presentment_total) == (500, 11711)
    assert (order.subtotal, order.shipping, order.tax, order.discounts, order.total) == (10495, 750, 2028, 543, 12729)
    assert (order.status, order.payment_status, order.fulfillment_status) == ("open", "paid", "partially_fulfilled")
    assert order.email == "lena.hoffmann@example.net"
    assert order.shipping_address["address2"] == "Hinterhaus"
    assert order.placed_at.isoformat() == "2026-11-19T16:05:41+00:00"
    assert order.locale == "de"
    assert order.note == "Second mug back-ordered until December"


def test_order_page_shows_bigcommerce_order(client, shop, store, factory):
    deliver(client, fixture_bytes("bigcommerce/order-full.json"), "bc-1")
    order = store.order(shop, "4817")
    doc = html(client.get(factory.link(shop, order) + "?lang=en"))
    assert [text_of(n) for n in doc.select(".item__title")] == ["Stoneware Mug", "Linen Tea Towel"]
    assert text_of(doc.select_one(".item__variant")) == "Glaze: Granite Grey"
    assert text_of(doc.select_one(".totals__total dd")) == money.format_money(11711, "EUR", "en")
    shipment = doc.select_one(".shipment")
    assert text_of(shipment.select_one(".shipment__carrier")) == "DHL"
    link = shipment.select_one(".tracking-number a")
    assert text_of(link) == "00340434161234567890"
    assert link["href"].startswith("https://www.dhl.de/")


def test_shipment_object_adds_to_known_order(client, shop, store, portal):
    deliver(client, fixture_bytes("bigcommerce/order-full.json"), "bc-1")
    response = deliver(client, fixture_bytes("bigcommerce/shipment.json"), "bc-2")
    assert response.json()["reason"] == "1 shipment(s) updated"
    with session_scope(portal.engine) as session:
        shipments = queries.shipments(session, store.order(shop, "4817").id)
    assert [(s.carrier, s.tracking_number) for s in shipments] == [
        ("dhl", "00340434161234567890"), ("ups", "1Z999AA10123456784")]
    # Re-sent without a delivery id: the same body is the same delivery.
    assert deliver(client, fixture_bytes("bigcommerce/shipment.json")).json()["result"] == "stored"
    assert deliver(client, fixture_bytes("bigcommerce/shipment.json")).json()["result"] == "duplicate"
    # A duplicate is not opened again, so its kind stays unknown in the log.
    assert [d.topic for d in store.deliveries(shop)] == ["order", "shipment", "shipment", ""]


def test_id_only_platform_webhook_is_explained(client, shop, store):
    response = deliver(client, fixture_bytes("bigcommerce/webhook-order-created.json"))
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    entry = store.deliveries(shop)[-1]
    assert "carry only ids" in entry.reason and entry.topic == "store/order/created"


def test_signature_required(client, shop, store):
    response = deliver(client, fixture_bytes("bigcommerce/order-full.json"), "bc-1", secret="wrong")
    assert response.status_code == 401
    assert store.orders(shop) == []


def test_full_order_endpoint_with_api_key(client, shop, store, factory):
    key = factory.api_key(shop)
    body = fixture_bytes("bigcommerce/order-full.json")
    response = client.post("/api/v1/bigcommerce/orders", content=body,
                           headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert store.order(shop, "4817").presentment_total == 11711
    again = client.post("/api/v1/bigcommerce/orders", content=body, headers={"Authorization": f"Bearer {key}"})
    assert again.json()["result"] == "duplicate"
    refused = client.post("/api/v1/bigcommerce/orders", content=body, headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"


def test_full_order_endpoint_reports_bad_input(client, shop, store, factory):
    key = factory.api_key(shop)
    auth = {"Authorization": f"Bearer {key}"}
    assert client.post("/api/v1/bigcommerce/orders", content=b"[{", headers=auth).status_code == 400
    payload = fixture_json("bigcommerce/order-full.json")
    payload["currency_code"] = "EURO"
    response = client.post("/api/v1/bigcommerce/orders", json=payload, headers=auth)
    assert response.status_code == 422
    assert "currency_code" in response.json()["message"]
    assert store.orders(shop) == []


@pytest.mark.parametrize("status_id, name, expected", [
    (99, "Awaiting Courier", ("open", "pending", "in_progress")),
    (42, "Cancelled by warehouse", ("cancelled", "pending", "unfulfilled")),
])
def test_unknown_status_id_is_kept_raw(client, shop, store, status_id, name, expected):
    payload = fixture_json("bigcommerce/order-full.json")
    payload.update(status_id=status_id, status=name, custom_status=name, items_shipped=0)
    assert deliver(client, payload, "bc-x").status_code == 200
    order = store.order(shop, "4817")
    assert (order.status, order.payment_status, order.fulfillment_status) == expected
    assert order.raw_statuses == {"status_id": f"{status_id} {name}"}


def test_refunded_status_takes_fulfilment_from_items_shipped(client, shop, store):
    payload = fixture_json("bigcommerce/order-full.json")
    payload.update(status_id=4, items_shipped=3)
    deliver(client, payload, "bc-r")
    order = store.order(shop, "4817")
    assert (order.payment_status, order.fulfillment_status) == ("refunded", "fulfilled")


def test_an_order_sent_without_its_subtotal_and_total_gets_them_from_the_rest(client, shop, store):
    payload = fixture_json("bigcommerce/order-full.json")
    del payload["subtotal_ex_tax"], payload["total_inc_tax"]
    assert deliver(client, payload, "bc-1").json()["result"] == "stored"
    order = store.order(shop, "4817")
    # The line totals in EUR as the shopper paid: 2 × 24.50 + 47.55 (see test_full_order_in_two_currencies).
    assert order.presentment_subtotal == 9655
    assert order.presentment_total == 9655 + 690 + 1866 - 500
    assert order.total == order.subtotal + order.shipping + order.tax - order.discounts
