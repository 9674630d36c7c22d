"""The three platforms' receivers fed their own fixture payloads with values swapped for anything
JSON can hold, correctly signed: every delivery is stored, ignored or refused, never a 5xx."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.webhooks import test_bigcommerce, test_shopify, test_woocommerce
from tests.webhooks.support import fixture_json

# Values a buggy or hostile integration sends: wrong types, huge numbers, odd text, nesting.
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
              st.sampled_from(["1e30", "-1", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00", "", "NaN",
                               "92233720368547758.08", "\x00", "a\r\nb", "1" * 30, "in_transit"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children,
                                                                               max_size=3)),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document a value can be swapped at."""
    found = [prefix] if prefix else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += paths(child, (*prefix, key))
    return found


@st.composite
def mutated(draw, fixture: str) -> dict[str, Any]:
    document = fixture_json(fixture)
    places = paths(document)
    for place in draw(st.lists(st.sampled_from(places), min_size=1, max_size=6, unique=True)):
        target = document
        try:
            for key in place[:-1]:
                target = target[key]
            target[place[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):  # an earlier swap replaced the parent
            continue
    return document


DELIVERIES = itertools.count()


@pytest.fixture
def shops(factory):
    factory.merchant("nordlys", currency="NOK", locale="nb", shopify_webhook_secret=test_shopify.SECRET)
    factory.merchant("candles", currency="GBP", woocommerce_webhook_secret=test_woocommerce.SECRET)
    factory.merchant("kaffeehaus", currency="USD", bigcommerce_webhook_secret=test_bigcommerce.SECRET)


def fuzz(fixture: str, send) -> None:
    """Deliver mutated copies of `fixture` through `send`; none may answer 5xx."""

    @given(payload=mutated(fixture))
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def deliver(payload):
        response = send(json.dumps(payload).encode(), f"fuzz-{next(DELIVERIES)}")
        assert response.status_code < 500, response.text[:500]

    deliver()


@pytest.mark.parametrize("topic, fixture", [("orders/create", "shopify/orders-create.json"),
                                            ("fulfillments/create", "shopify/fulfillments-create.json"),
                                            ("refunds/create", "shopify/refunds-create.json"),
                                            ("returns/request", "shopify/returns-request.json")])
def test_shopify_payloads(client, shops, topic, fixture):
    fuzz(fixture, lambda body, delivery: test_shopify.deliver(client, topic, body, delivery))


def test_woocommerce_payloads(client, shops):
    fuzz("woocommerce/order-updated.json", lambda body, delivery: test_woocommerce.deliver(client, body, delivery))


@pytest.mark.parametrize("fixture", ["bigcommerce/order-full.json", "bigcommerce/shipment.json"])
def test_bigcommerce_payloads(client, shops, fixture):
    fuzz(fixture, lambda body, delivery: test_bigcommerce.deliver(client, body, delivery))


# What the fuzzing above found, kept as plain cases.
def test_an_amount_past_decimal_precision_is_refused_not_a_crash(client, shops):
    payload = fixture_json("shopify/orders-create.json")
    payload["total_price_set"]["shop_money"]["amount"] = "1e30"
    response = test_shopify.deliver(client, "orders/create", payload, "huge-amount")
    assert response.status_code < 500, response.text
    assert "too large" in response.text, response.text


@pytest.mark.parametrize("change", [{"shipments": 7}, {"products": "mug"},
                                    {"billing_address": {"first_name": ["Ana"], "last_name": "Muster"}}])
def test_a_field_of_the_wrong_shape_is_no_server_error(client, shops, change):
    payload = {**fixture_json("bigcommerce/order-full.json"), **change}
    assert test_bigcommerce.deliver(client, payload, "odd-shape").status_code < 500


def test_a_status_sent_as_a_list_is_no_server_error(client, shops):
    payload = {**fixture_json("shopify/orders-create.json"), "cancel_reason": ["fraud"], "financial_status": {}}
    response = test_shopify.deliver(client, "orders/create", payload, "list-status")
    assert response.status_code < 500, response.text

