"""The delivery log's "Why" column in the console user's language, while the platform's answer
stays English; rows logged before reasons were kept as templates still show their text."""

from __future__ import annotations

import json

import pytest

from portal.store.db import session_scope
from portal.store.records import WebhookDelivery
from tests.conftest import html, text_of
from tests.test_security import login
from tests.webhooks.support import fixture_json, sign

SECRET = "s3cret"


@pytest.fixture
def shop(factory):
    merchant = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", shopify_webhook_secret=SECRET,
                                bigcommerce_webhook_secret=SECRET)
    factory.user(merchant)
    return merchant


def post(client, topic: str, webhook_id: str, payload: dict, secret: str = SECRET):
    body = json.dumps(payload).encode()
    return client.post("/webhooks/shopify/nordlys", content=body, headers={
        "X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Hmac-Sha256": sign(body, secret)})


def deliveries_as_seen(client, language: str) -> tuple[dict[str, str], list[str]]:
    """The log as a user reading `language` sees it: {delivery id: why}, and the refusal counts."""
    client.headers["Accept-Language"] = language
    login(client, "nordlys")
    page = html(client.get("/admin/webhooks"))
    log = {text_of(row.find_all("td")[3]): text_of(row.find_all("td")[5]) for row in page.select("tr.delivery")}
    return log, [text_of(item) for item in page.select(".webhook-refusals [data-kind]")]


def send_a_day_of_deliveries(client) -> dict[str, dict]:
    """A stored order, a refund of it, an order with a date that is none, and a forged delivery:
    what the platform was answered, by delivery id."""
    order = fixture_json("shopify/orders-create.json")
    answers = {
        "wh-order": post(client, "orders/create", "wh-order", order),
        "wh-refund": post(client, "refunds/create", "wh-refund", fixture_json("shopify/refunds-create.json")),
        "wh-bad-date": post(client, "orders/create", "wh-bad-date",
                            {**order, "id": 1, "name": "#2042", "created_at": "yesterday"}),
        "wh-currency": post(client, "orders/create", "wh-currency", {**order, "id": 2, "name": "#2043", "currency": "QQQ"}),
        "wh-forged": post(client, "orders/create", "wh-forged", order, secret="guessed"),
    }
    return {delivery_id: response.json() for delivery_id, response in answers.items()}


def test_a_german_user_reads_why_in_german_and_the_platform_still_reads_english(client, shop):
    answers = send_a_day_of_deliveries(client)
    log, refusals = deliveries_as_seen(client, "de")
    assert log == {
        "wh-order": "Bestellung angelegt",
        "wh-refund": "Zahlung teilweise erstattet",  # our payment status in German too
        "wh-bad-date": "created_at: 'yesterday' ist kein Datum mit Uhrzeit",  # the field and value as sent
        # The order service's own rule, said in German inside the sentence naming the field.
        "wh-currency": "currency: unbekannter Währungscode 'QQQ': verwenden Sie einen ISO-4217-Code wie USD, EUR "
                       "oder NOK",
    }
    # A forged delivery is counted, not logged: the count is in German as well.
    assert refusals == ["Shopify: 1 abgelehnte Zustellung (falsche Signatur) in den letzten 24 Std."]
    assert answers == {
        "wh-order": {"result": "stored", "reason": "order created", "order": "#2041"},
        "wh-refund": {"result": "stored", "reason": "payment partially refunded", "order": "#2041"},
        "wh-bad-date": {"error": "unprocessable", "message": "created_at: 'yesterday' is not a date and time"},
        "wh-currency": {"error": "unprocessable", "message": "currency: unknown currency code 'QQQ': use an ISO 4217 "
                                                            "code such as USD, EUR or NOK"},
        "wh-forged": {"error": "bad_signature", "message": "signature does not match the webhook secret"},
    }


def test_an_english_user_reads_what_the_platform_was_answered(client, shop):
    answers = send_a_day_of_deliveries(client)
    log, refusals = deliveries_as_seen(client, "en")
    assert log == {delivery_id: answers[delivery_id].get("reason") or answers[delivery_id]["message"]
                   for delivery_id in ("wh-order", "wh-refund", "wh-bad-date", "wh-currency")}
    assert refusals == ["Shopify: 1 refused delivery (bad signature) in the last 24 h"]


def test_a_row_logged_before_templates_were_kept_shows_its_english_reason(client, shop, portal):
    post(client, "orders/create", "wh-new", fixture_json("shopify/orders-create.json"))
    with session_scope(portal.engine) as session:  # as the log held it before the new columns
        session.add(WebhookDelivery(merchant_id=shop.id, platform="shopify", topic="orders/create",
                                    delivery_id="wh-old", result="stored", reason="order updated",
                                    order_number="#2041"))
    log, _ = deliveries_as_seen(client, "de")
    assert log == {"wh-new": "Bestellung angelegt", "wh-old": "order updated"}
    old_row = html(client.get("/admin/webhooks")).select("tr.delivery")[0]
    assert old_row.find_all("td")[5].find(lang="en") is not None  # marked as English for readers


def test_a_long_value_from_the_platform_is_kept_to_the_500_characters_the_log_shows(client, shop, store):
    body = json.dumps({"id": 7, "status_id": 11, "currency_code": "X" * 2000}).encode()
    answer = client.post("/webhooks/bigcommerce/nordlys", content=body, headers={
        "X-Portal-Hmac-Sha256": sign(body, SECRET), "X-Portal-Delivery-Id": "bc-long"})
    assert answer.status_code == 422 and "X" * 2000 in answer.json()["message"]  # the platform gets it all
    (entry,) = store.deliveries(shop)
    assert len(entry.reason) == 500 and len(entry.reason_values["value"]) == 500
    log, _ = deliveries_as_seen(client, "de")
    assert log["bc-long"].startswith("currency_code: 'XXX") and len(log["bc-long"]) == 500


def test_an_amount_that_is_no_number_is_explained_in_german(client, shop):
    order = fixture_json("shopify/orders-create.json")
    order.update(id=3, name="#2044", total_price="abc")
    order["total_price_set"]["shop_money"]["amount"] = "abc"
    answer = post(client, "orders/create", "wh-amount", order)
    assert answer.json()["message"] == "total_price: 'abc' is not a decimal amount such as \"19.90\""
    log, _ = deliveries_as_seen(client, "de")
    assert log["wh-amount"] == "total_price: 'abc' ist kein Dezimalbetrag wie \"19.90\""
