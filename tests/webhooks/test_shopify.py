"""Shopify webhooks replayed from our own fixtures: signature, idempotency, mapping, the order page."""

from __future__ import annotations

import logging

import pytest

from portal import money
from portal.security import hmac_signature_valid
from tests.conftest import html, text_of
from tests.webhooks.support import body_of, fixture_bytes, fixture_json, sign

SECRET = "shpss_7d1f0c2b9e8a4d6f"
OLD_SECRET = "shpss_previous_3a2b1c"
ORDER_ID = "7123456789012345679"  # above 2**53: a float would turn it into ...5680


@pytest.fixture
def shop(factory):
    return factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", locale="nb",
                            shopify_webhook_secret=SECRET, shopify_previous_webhook_secret=OLD_SECRET)


def deliver(client, topic: str, payload, webhook_id: str, secret: str = SECRET, shop: str = "nordlys", **headers):
    body = body_of(payload)
    return client.post(f"/webhooks/shopify/{shop}", content=body, headers={
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": "nordlys-strikk.myshopify.com",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-API-Version": "2026-07",
        **headers,
    })


def test_known_signature_vector():
    body = b'{"foo": "bar"}'
    assert hmac_signature_valid(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", ["test_secret_key"])
    assert not hmac_signature_valid(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", ["other_secret"])
    assert not hmac_signature_valid(body + b" ", "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", ["test_secret_key"])
    assert not hmac_signature_valid(body, "", ["test_secret_key"])
    assert not hmac_signature_valid(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", [None, ""])


def test_orders_create_maps_every_field(client, shop, store):
    response = deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create-1")
    assert response.status_code == 200, response.text
    assert response.json() == {"result": "stored", "reason": "order created", "order": "#2041"}

    order = store.order(shop, ORDER_ID)
    assert order.source == "shopify"
    assert order.number == "#2041"
    assert order.email == "ingrid.berg@example.org"
    assert order.postal_code == "20095"
    assert order.locale == "de_DE"
    assert order.placed_at.isoformat() == "2026-11-20T08:14:04+00:00"
    assert (order.status, order.payment_status, order.fulfillment_status) == ("open", "paid", "unfulfilled")
    assert order.tags == ["vip", "gift-wrap", "a tag that is far too long to be kept wh"]
    assert order.customer_id is None and order.guest_id == "K7QX2M4PA"  # guest checkout
    assert order.order_status_url.startswith("https://nordlys-strikk.myshopify.com/")
    assert order.shipping_address["address2"] == "3. OG"
    # Shop money in NOK, what the shopper paid in EUR: both kept, never converted.
    assert (order.currency, order.presentment_currency) == ("NOK", "EUR")
    assert (order.subtotal, order.shipping, order.tax, order.total) == (199700, 9900, 41920, 209600)
    assert (order.presentment_subtotal, order.presentment_shipping, order.presentment_total) == (17290, 860, 18150)
    assert order.raw_statuses == {}


def test_ingested_order_page_shows_what_the_payload_said(client, shop, factory, store):
    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create-1")
    deliver(client, "orders/updated", fixture_bytes("shopify/orders-updated.json"), "wh-update-1")
    order = store.order(shop, ORDER_ID)
    page = client.get(factory.link(shop, order) + "?lang=en")
    assert page.status_code == 200
    doc = html(page)
    assert "#2041" in text_of(doc.find("h1"))
    items = [text_of(node) for node in doc.select(".item__title")]
    assert items == ["Fjellgenser", "Vinterlue"]
    assert text_of(doc.select_one(".item__variant")) == "M / Navy"
    # The shopper sees the currency they paid in.
    assert text_of(doc.select_one(".totals__total dd")) == money.format_money(18150, "EUR", "en")
    assert text_of(doc.select_one('[data-status="paid"]')) == "Paid"
    assert text_of(doc.select_one('[data-status="partially_fulfilled"]')) == "Partially shipped"
    (shipment,) = doc.select(".shipment")
    assert text_of(shipment.select_one(".shipment__carrier")) == "UPS"
    link = shipment.select_one(".tracking-number a")
    assert text_of(link) == "1Z999AA10123456784"
    assert link["href"] == "https://www.ups.com/track?loc=de_DE&tracknum=1Z999AA10123456784"
    assert text_of(shipment.select_one(".badge")) == "In transit"
    assert "K7QX2M4PA" not in text_of(doc.select_one(".reference"))  # now a customer account, not a guest


def test_orders_updated_maps_fulfillments_and_customer(client, shop, store):
    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create-1")
    response = deliver(client, "orders/updated", fixture_bytes("shopify/orders-updated.json"), "wh-update-1")
    assert response.json()["reason"] == "order updated"
    order = store.order(shop, ORDER_ID)
    assert order.customer_id == "6987654321098765433" and order.guest_id is None
    assert order.fulfillment_status == "partially_fulfilled"
    assert len(store.orders(shop)) == 1


def test_duplicate_delivery_is_acknowledged_and_not_applied_twice(client, shop, store):
    body = fixture_bytes("shopify/orders-create.json")
    assert deliver(client, "orders/create", body, "wh-1").json()["result"] == "stored"
    version = store.order(shop, ORDER_ID).version
    again = deliver(client, "orders/create", body, "wh-1")
    assert again.status_code == 200
    assert again.json()["result"] == "duplicate"
    assert store.order(shop, ORDER_ID).version == version
    assert [(r.platform, r.delivery_id) for r in store.receipts(shop)] == [("shopify", "wh-1")]
    assert [d.result for d in store.deliveries(shop)] == ["stored", "duplicate"]


def test_bad_signature_is_401_and_stores_nothing(client, shop, store):
    body = fixture_bytes("shopify/orders-create.json")
    response = deliver(client, "orders/create", body, "wh-1", secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    tampered = body.replace(b'"2096.00"', b'"1.00"')
    headers = {"X-Shopify-Hmac-Sha256": sign(body, SECRET)}
    assert deliver(client, "orders/create", tampered, "wh-2", **headers).status_code == 401
    assert store.orders(shop) == [] and store.receipts(shop) == []
    assert store.deliveries(shop) == []  # anyone can send these: counted, never logged
    assert store.refusals(shop) == {("shopify", "bad_signature"): 2}
    # The real delivery, retried later with a valid signature, still goes through.
    assert deliver(client, "orders/create", body, "wh-1").json()["result"] == "stored"


def test_previous_secret_accepted_during_rotation(client, shop, store):
    response = deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-1",
                       secret=OLD_SECRET)
    assert response.status_code == 200
    assert store.order(shop, ORDER_ID).number == "#2041"


def test_no_secret_configured_is_refused(client, factory, store):
    other = factory.merchant("plain")
    response = deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-1", shop="plain")
    assert response.status_code == 401
    assert "no shopify webhook secret" in response.json()["message"]
    assert store.orders(other) == []


def test_unknown_shop_is_404(client, shop):
    assert deliver(client, "orders/create", b"{}", "wh-1", shop="nobody").status_code == 404


def test_malformed_json_is_400_with_reason(client, shop, store):
    response = deliver(client, "orders/create", b'{"id": 1, "name": ', "wh-1")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert "malformed JSON" in response.json()["message"]
    assert store.deliveries(shop)[-1].reason.startswith("malformed JSON")


def test_body_over_limit_is_413(settings, shop, store):
    from starlette.testclient import TestClient

    from portal.app import create_app

    small = create_app(settings.model_copy(update={"max_body_bytes": 4096}))
    with TestClient(small) as client:
        response = deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-1")
    assert response.status_code == 413
    assert store.orders(shop) == [] and store.deliveries(shop) == []
    assert store.refusals(shop) == {("shopify", "too_large"): 1}


def test_unmappable_order_is_422_and_saves_nothing(client, shop, store):
    payload = fixture_json("shopify/orders-create.json")
    payload["currency"] = "XXY"
    response = deliver(client, "orders/create", payload, "wh-1")
    assert response.status_code == 422
    assert "currency" in response.json()["message"]
    assert store.orders(shop) == [] and store.receipts(shop) == []


def test_stale_update_does_not_overwrite_newer_state(client, shop, store):
    deliver(client, "orders/updated", fixture_bytes("shopify/orders-updated.json"), "wh-update")
    late = deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    assert late.json()["result"] == "ignored"
    assert store.order(shop, ORDER_ID).fulfillment_status == "partially_fulfilled"


def test_fulfillments_create_adds_one_shipment_per_tracking_number(client, shop, store, portal):
    from portal.store import queries
    from portal.store.db import session_scope

    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    response = deliver(client, "fulfillments/create", fixture_bytes("shopify/fulfillments-create.json"), "wh-f1")
    assert response.json() == {"result": "stored", "reason": "2 shipment(s) updated", "order": "#2041"}
    with session_scope(portal.engine) as session:
        shipments = queries.shipments(session, store.order(shop, ORDER_ID).id)
    assert [(s.carrier, s.tracking_number, s.status) for s in shipments] == [
        ("dhl", "1234567890", "info_received"), ("dhl", "9876543210", "info_received")]
    assert shipments[1].tracking_url.endswith("tracking-id=9876543210")


def test_fulfillment_for_an_order_not_received_yet_is_acknowledged(client, shop, store):
    response = deliver(client, "fulfillments/create", fixture_bytes("shopify/fulfillments-create.json"), "wh-f1")
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    assert store.orders(shop) == []


def test_refund_and_return_topics(client, shop, store):
    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    refund = deliver(client, "refunds/create", fixture_bytes("shopify/refunds-create.json"), "wh-r1")
    assert refund.json()["reason"] == "payment partially refunded"
    assert store.order(shop, ORDER_ID).payment_status == "partially_refunded"

    payload = fixture_json("shopify/returns-request.json")
    assert deliver(client, "returns/request", payload, "wh-ret1").json()["reason"] == "return requested"
    assert store.order(shop, ORDER_ID).return_status == "requested"
    payload["status"] = "closed"
    deliver(client, "returns/close", payload, "wh-ret2")
    assert store.order(shop, ORDER_ID).return_status == "returned"
    # A later orders/updated without a `returns` key keeps the return where it is.
    update = fixture_json("shopify/orders-updated.json")
    del update["returns"]
    deliver(client, "orders/updated", update, "wh-update")
    assert store.order(shop, ORDER_ID).return_status == "returned"


def test_unknown_status_is_kept_raw_mapped_and_logged(client, shop, store, caplog):
    payload = fixture_json("shopify/orders-create.json")
    payload["financial_status"] = "partially_refunded_pending_review"
    payload["fulfillment_status"] = "awaiting_pickup"
    with caplog.at_level(logging.WARNING, logger="portal.ingest"):
        response = deliver(client, "orders/create", payload, "wh-1")
    assert response.status_code == 200
    order = store.order(shop, ORDER_ID)
    assert (order.payment_status, order.fulfillment_status) == ("partially_refunded", "in_progress")
    assert order.raw_statuses == {"financial_status": "partially_refunded_pending_review",
                                  "fulfillment_status": "awaiting_pickup"}
    assert "partially_refunded_pending_review" in caplog.text


def test_cancelled_order(client, shop, store):
    payload = fixture_json("shopify/orders-create.json")
    payload.update(cancelled_at="2026-11-20T10:00:00+01:00", cancel_reason="inventory", financial_status="voided")
    deliver(client, "orders/cancelled", payload, "wh-1")
    order = store.order(shop, ORDER_ID)
    assert (order.status, order.cancel_reason, order.payment_status) == ("cancelled", "inventory", "voided")


def test_unused_topic_is_acknowledged(client, shop, store):
    response = deliver(client, "products/update", {"id": 1}, "wh-1")
    assert response.status_code == 200 and response.json()["result"] == "ignored"


def test_cancelled_fulfilment_takes_its_shipments_off_the_page(client, shop, store, factory):
    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    fulfillment = fixture_json("shopify/fulfillments-create.json")
    deliver(client, "fulfillments/create", fulfillment, "wh-f1")
    page = html(client.get(factory.link(shop, store.order(shop, ORDER_ID))))
    assert len(page.select(".shipment")) == 2

    fulfillment.update(status="cancelled", updated_at="2026-11-22T12:00:00+01:00")
    response = deliver(client, "fulfillments/update", fulfillment, "wh-f2")
    assert response.json()["reason"] == "fulfilment cancelled: 2 shipment(s) removed"
    page = html(client.get(factory.link(shop, store.order(shop, ORDER_ID))))
    assert page.select(".shipment") == []

    # The same news through orders/updated: a fulfilment listed as cancelled is removed too.
    update = fixture_json("shopify/orders-updated.json")
    deliver(client, "orders/updated", update, "wh-u1")
    update["fulfillments"][0]["status"] = "cancelled"
    update["updated_at"] = "2026-11-21T15:00:00+01:00"
    deliver(client, "orders/updated", update, "wh-u2")
    page = html(client.get(factory.link(shop, store.order(shop, ORDER_ID))))
    assert page.select(".shipment") == []


def test_the_platforms_carrier_wins_over_what_the_number_looks_like(client, shop, store, portal):
    from portal.store import queries
    from portal.store.db import session_scope

    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    fulfillment = fixture_json("shopify/fulfillments-create.json")
    # A UPS-shaped number whose check digit fails, sent by the shop as a USPS parcel.
    fulfillment.update(tracking_company="USPS", tracking_number="1Z999AA10123456785",
                       tracking_numbers=["1Z999AA10123456785"], tracking_url=None, tracking_urls=[])
    deliver(client, "fulfillments/create", fulfillment, "wh-f1")
    with session_scope(portal.engine) as session:
        (shipment,) = queries.shipments(session, store.order(shop, ORDER_ID).id)
    assert (shipment.carrier, shipment.carrier_name) == ("usps", "USPS")
    assert "usps.com" in shipment.tracking_url


def test_an_update_that_changes_nothing_a_shopper_sees_is_not_news(client, shop, store):
    """Shopify sends orders/updated for edits we do not show (note attributes, a newer
    updated_at): the order takes the newer version time, but its pages are not told to refresh."""
    payload = fixture_json("shopify/orders-create.json")
    assert deliver(client, "orders/create", payload, "wh-1").json()["result"] == "stored"
    version = store.order(shop, ORDER_ID).version
    payload["updated_at"] = "2026-11-28T09:00:00+01:00"
    assert deliver(client, "orders/updated", payload, "wh-2").json()["result"] == "stored"
    order = store.order(shop, ORDER_ID)
    assert order.source_updated_at.isoformat().startswith("2026-11-28T08:00:00")
    assert order.version == version
    payload["updated_at"], payload["financial_status"] = "2026-11-28T10:00:00+01:00", "refunded"
    assert deliver(client, "orders/updated", payload, "wh-3").json()["result"] == "stored"
    assert store.order(shop, ORDER_ID).version == version + 1


def test_a_late_order_update_does_not_take_a_parcel_back(client, shop, store, factory):
    """Shopify passes carrier news on late: an order update that still says "in transit" after the
    carrier told us "delivered" leaves the parcel delivered on the shopper's page; the rest of the
    update applies."""
    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    deliver(client, "orders/updated", fixture_bytes("shopify/orders-updated.json"), "wh-update-1")
    auth = {"Authorization": f"Bearer {factory.api_key(shop)}"}
    delivered = {"tracking_number": "1Z999AA10123456784", "at": "2026-11-22T09:00:00Z", "status": "Delivered"}
    assert client.post("/api/v1/events", json={"events": [delivered]}, headers=auth).json()["added"] == 1
    later = fixture_json("shopify/orders-updated.json")
    later["updated_at"] = "2026-11-22T12:00:00+01:00"
    later["tags"] = "vip, late"
    assert deliver(client, "orders/updated", later, "wh-update-2").json()["result"] == "stored"
    order = store.order(shop, ORDER_ID)
    page = html(client.get(factory.link(shop, order)))
    badges = {text_of(parcel.select_one(".tracking-number")): parcel.select_one(".badge")["data-status"]
              for parcel in page.select(".shipment")}
    assert badges["1Z999AA10123456784"] == "delivered"  # what the shopper sees
    assert order.tags == ["vip", "late"]


def deliver_together(client, portal, deliveries: list[tuple[str, object, str]], released=lambda: None) -> list:
    """Post the deliveries at once while the writer is kept busy, so that they all wait for it
    together (`released()` is called when they do); answers in the order given."""
    import threading
    import time

    gate, started = threading.Event(), threading.Event()
    portal.writers.submit(lambda: started.set() or gate.wait(10))  # the process's one writer thread
    assert started.wait(10)
    answers: list = [None] * len(deliveries)

    def post(index: int, topic: str, payload, webhook_id: str) -> None:
        answers[index] = deliver(client, topic, payload, webhook_id)

    threads = [threading.Thread(target=post, args=(i, *d)) for i, d in enumerate(deliveries)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while portal.write_groups.waiting() < len(deliveries) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert portal.write_groups.waiting() == len(deliveries)
    released()
    gate.set()
    for thread in threads:
        thread.join(10)
    return answers


def numbered(n: int) -> dict:
    payload = fixture_json("shopify/orders-create.json")
    payload.update(id=9_007_199_254_740_993 + n, name=f"#30{n}", order_number=3000 + n)
    return payload


def test_deliveries_that_arrive_together_share_one_commit(client, portal, shop, store):
    from sqlalchemy import event

    commits: list[int] = []

    def committed(_connection) -> None:
        commits.append(1)

    event.listen(portal.engine, "commit", committed)
    try:
        answers = deliver_together(client, portal, [
            ("orders/create", numbered(1), "wh-1"), ("orders/create", numbered(2), "wh-2"),
            ("orders/create", numbered(1), "wh-1")], released=commits.clear)
    finally:
        event.remove(portal.engine, "commit", committed)
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sorted(a.json()["result"] for a in answers) == ["duplicate", "stored", "stored"]
    assert len(commits) == 1  # one transaction for the three
    assert sorted(o.number for o in store.orders(shop)) == ["#301", "#302"]
    assert sorted(r.delivery_id for r in store.receipts(shop)) == ["wh-1", "wh-2"]
    assert sorted(d.result for d in store.deliveries(shop)) == ["duplicate", "stored", "stored"]


def test_a_refused_delivery_among_others_is_refused_alone(client, portal, shop, store):
    bad = numbered(2)
    bad["currency"] = "XXY"
    answers = deliver_together(client, portal, [
        ("orders/create", numbered(1), "wh-1"), ("orders/create", bad, "wh-2"), ("orders/create", numbered(3), "wh-3")])
    assert [a.status_code for a in answers] == [200, 422, 200]
    assert [a.json().get("result") for a in answers] == ["stored", None, "stored"]
    assert "currency" in answers[1].json()["message"]
    assert sorted(o.number for o in store.orders(shop)) == ["#301", "#303"]
    assert sorted(r.delivery_id for r in store.receipts(shop)) == ["wh-1", "wh-3"]
    assert sorted((d.delivery_id, d.result) for d in store.deliveries(shop)) == [
        ("wh-1", "stored"), ("wh-2", "rejected"), ("wh-3", "stored")]


def test_an_order_renamed_to_another_orders_number_is_refused_and_both_are_kept(client, shop, store):
    first = fixture_json("shopify/orders-create.json")
    second = {**first, "id": int(ORDER_ID) + 1, "name": "#2042", "order_number": 2042}
    assert deliver(client, "orders/create", first, "wh-a").status_code == 200
    assert deliver(client, "orders/create", second, "wh-b").status_code == 200

    renamed = {**first, "name": "#2042", "order_number": 2042, "updated_at": "2026-11-21T09:00:00+01:00"}
    response = deliver(client, "orders/updated", renamed, "wh-c")
    assert response.status_code == 422
    assert "#2042 is already another order's number" in response.text
    assert store.order(shop, ORDER_ID).number == "#2041"
    assert store.order(shop, str(int(ORDER_ID) + 1)).number == "#2042"


def test_an_order_sent_without_its_subtotal_and_total_gets_them_from_its_items(client, shop, store):
    payload = fixture_json("shopify/orders-create.json")
    for name in ("subtotal_price", "total_price"):
        payload.pop(name)
        payload.pop(f"{name}_set")
    assert deliver(client, "orders/create", payload, "wh-1").json()["result"] == "stored"
    order = store.order(shop, ORDER_ID)
    # 1299.00 + 2 × 349.00, and the shipping on top (the prices include the tax).
    assert (order.subtotal, order.total) == (199700, 209600)
    assert (order.presentment_subtotal, order.presentment_total) == (17290, 18150)
