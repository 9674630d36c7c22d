"""Every platform status value, one by one, through the real mapping code."""

from __future__ import annotations

import pytest

from portal import statuses
from portal.ingest.platforms.payloads import StatusMapper
from portal.ingest.platforms import bigcommerce, shopify, woocommerce
from tests.webhooks.support import fixture_json

SHOPIFY_FINANCIAL = {
    "pending": "pending", "authorized": "authorized", "partially_paid": "partially_paid", "paid": "paid",
    "partially_refunded": "partially_refunded", "refunded": "refunded", "voided": "voided", "expired": "expired",
}
SHOPIFY_FULFILLMENT = {
    "": "unfulfilled", "unfulfilled": "unfulfilled", "open": "unfulfilled", "restocked": "unfulfilled",
    "pending_fulfillment": "in_progress", "in_progress": "in_progress", "scheduled": "scheduled",
    "on_hold": "on_hold", "partial": "partially_fulfilled", "partially_fulfilled": "partially_fulfilled",
    "fulfilled": "fulfilled",
}
SHOPIFY_CANCEL = {"customer": "customer", "declined": "declined", "fraud": "fraud", "inventory": "inventory",
                  "staff": "staff", "other": "other"}
SHOPIFY_SHIPMENT = {
    "label_printed": "info_received", "label_purchased": "info_received", "confirmed": "info_received",
    "carrier_picked_up": "in_transit", "picked_up": "in_transit", "in_transit": "in_transit",
    "delayed": "exception", "out_for_delivery": "out_for_delivery", "attempted_delivery": "attempt_fail",
    "ready_for_pickup": "available_for_pickup", "delivered": "delivered", "failure": "exception",
}
SHOPIFY_RETURN = {"requested": "requested", "open": "in_progress", "closed": "returned", "declined": "declined",
                  "canceled": "cancelled", "cancelled": "cancelled"}
# status_id -> (order status, payment, fulfilment with items_shipped=1 of items_total=3)
BIGCOMMERCE = {
    0: ("open", "pending", "unfulfilled"), 1: ("open", "pending", "unfulfilled"),
    2: ("open", "paid", "fulfilled"), 3: ("open", "paid", "partially_fulfilled"),
    4: ("open", "refunded", "partially_fulfilled"), 5: ("cancelled", "voided", "unfulfilled"),
    6: ("cancelled", "voided", "unfulfilled"), 7: ("open", "pending", "unfulfilled"),
    8: ("open", "paid", "in_progress"), 9: ("open", "paid", "in_progress"), 10: ("open", "paid", "fulfilled"),
    11: ("open", "paid", "unfulfilled"), 12: ("open", "pending", "on_hold"), 13: ("open", "paid", "on_hold"),
    14: ("open", "partially_refunded", "partially_fulfilled"),
}
WOOCOMMERCE = {
    "pending": ("open", "pending", "unfulfilled"), "processing": ("open", "paid", "unfulfilled"),
    "on-hold": ("open", "pending", "on_hold"), "completed": ("open", "paid", "fulfilled"),
    "cancelled": ("cancelled", "voided", "unfulfilled"), "refunded": ("open", "refunded", "unfulfilled"),
    "failed": ("cancelled", "voided", "unfulfilled"), "checkout-draft": ("open", "pending", "unfulfilled"),
    "trash": ("archived", "pending", "unfulfilled"),
}


def test_every_table_entry_has_an_expectation():
    assert set(SHOPIFY_FINANCIAL) == set(statuses.SHOPIFY_FINANCIAL_STATUS)
    assert set(SHOPIFY_FULFILLMENT) == set(statuses.SHOPIFY_FULFILLMENT_STATUS)
    assert set(SHOPIFY_CANCEL) == set(statuses.SHOPIFY_CANCEL_REASON)
    assert set(SHOPIFY_SHIPMENT) == set(statuses.SHOPIFY_SHIPMENT_STATUS)
    assert set(SHOPIFY_RETURN) == set(statuses.SHOPIFY_RETURN_STATUS)
    assert set(BIGCOMMERCE) == set(statuses.BIGCOMMERCE_STATUS) == set(range(15))
    assert set(WOOCOMMERCE) == set(statuses.WOOCOMMERCE_STATUS)


def shopify_order(**changes):
    payload = fixture_json("shopify/orders-create.json")
    payload.update(changes)
    mapped = shopify.map_order(payload)
    assert mapped.raw_statuses == {}, "a value from the table must not count as unknown"
    return mapped.data


@pytest.mark.parametrize("value, expected", SHOPIFY_FINANCIAL.items())
def test_shopify_financial_status(value, expected):
    assert shopify_order(financial_status=value)["payment_status"] == expected


@pytest.mark.parametrize("value, expected", SHOPIFY_FULFILLMENT.items())
def test_shopify_fulfillment_status(value, expected):
    assert shopify_order(fulfillment_status=value or None)["fulfillment_status"] == expected


@pytest.mark.parametrize("value, expected", SHOPIFY_CANCEL.items())
def test_shopify_cancel_reason(value, expected):
    data = shopify_order(cancelled_at="2026-11-20T10:00:00Z", cancel_reason=value)
    assert (data["status"], data["cancel_reason"]) == ("cancelled", expected)


@pytest.mark.parametrize("value, expected", SHOPIFY_SHIPMENT.items())
def test_shopify_shipment_status(value, expected):
    mapper = StatusMapper("shopify")
    (shipment,) = shopify.shipments([{"id": 1, "status": "success", "tracking_number": "X1",
                                      "shipment_status": value}], mapper)
    assert (shipment["status"], mapper.raw) == (expected, {})


@pytest.mark.parametrize("value, expected", SHOPIFY_RETURN.items())
def test_shopify_return_status(value, expected):
    assert shopify_order(returns=[{"id": 5, "status": value}])["return_status"] == expected


@pytest.mark.parametrize("status_id, expected", BIGCOMMERCE.items())
def test_bigcommerce_status_id(status_id, expected):
    payload = fixture_json("bigcommerce/order-full.json")
    payload.update(status_id=status_id, items_shipped=1, items_total=3)
    mapped = bigcommerce.map_order(payload)
    data = mapped.data
    assert (data["status"], data["payment_status"], data["fulfillment_status"]) == expected
    assert mapped.raw_statuses == {}
    assert data["cancel_reason"] == {5: "other", 6: "declined"}.get(status_id)


@pytest.mark.parametrize("value, expected", WOOCOMMERCE.items())
def test_woocommerce_status(value, expected):
    payload = fixture_json("woocommerce/order-updated.json")
    payload["status"] = value
    mapped = woocommerce.map_order(payload)
    data = mapped.data
    assert (data["status"], data["payment_status"], data["fulfillment_status"]) == expected
    assert mapped.raw_statuses == {}


@pytest.mark.parametrize("kind, value, expected", [
    ("payment_status", "Partially Refunded", "partially_refunded"),
    ("payment_status", "captured", "paid"),
    ("payment_status", "something new", None),
    ("fulfillment_status", "ready-for-pickup", "in_progress"),
    ("shipment", "Out for delivery", "out_for_delivery"),
    ("shipment", "AttemptFail", "attempt_fail"),
    ("shipment", "Delivered to neighbour", "delivered"),
    ("return_status", "RETURN_REQUESTED", "requested"),
    ("cancel_reason", "out_of_stock", "inventory"),
])
def test_closest_canonical_for_unknown_values(kind, value, expected):
    assert statuses.closest(kind, value) == expected
