"""A platform time outside the accepted range (1970-2100 in UTC; a version time at most 24 hours
ahead) does not sink the delivery: the time is left out, the order is stored, and a far-future
version time does not make every later update look older."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from portal.store import queries
from portal.store.db import session_scope
from tests.conftest import html
from tests.webhooks import test_bigcommerce as bigcommerce
from tests.webhooks import test_shopify as shopify
from tests.webhooks import test_woocommerce as woocommerce
from tests.webhooks.support import fixture_json

EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2101, 1, 1, tzinfo=timezone.utc)


def sane(moment: datetime | None) -> bool:
    return moment is None or EARLIEST <= moment < LATEST


def parcels(portal, order):
    with session_scope(portal.engine) as session:
        return list(queries.shipments(session, order.id))


def check_stored(response, client, factory, portal, shop, order) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "stored"
    assert sane(order.placed_at) and sane(order.source_updated_at)
    assert parcels(portal, order) and all(sane(parcel.shipped_at) for parcel in parcels(portal, order))
    assert client.get(factory.link(shop, order)).status_code == 200


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59Z",
                                    "2099-01-01T00:00:00Z"])
def test_shopify(client, factory, portal, store, moment):
    shop = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", locale="nb",
                            shopify_webhook_secret=shopify.SECRET)
    payload = fixture_json("shopify/orders-updated.json")
    payload.update(processed_at=moment, created_at=moment, updated_at=moment)
    for fulfillment in payload["fulfillments"]:
        fulfillment["created_at"] = moment
    response = shopify.deliver(client, "orders/updated", json.dumps(payload).encode(), "wh-1")
    check_stored(response, client, factory, portal, shop, store.order(shop, shopify.ORDER_ID))

    later = {**payload, "updated_at": "2026-11-22T10:00:00+01:00", "financial_status": "refunded"}
    response = shopify.deliver(client, "orders/updated", json.dumps(later).encode(), "wh-2")
    assert response.json()["result"] == "stored", response.text
    assert store.order(shop, shopify.ORDER_ID).payment_status == "refunded"


def test_shopify_takes_created_at_when_processed_at_is_out_of_range(client, factory, store):
    shop = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", locale="nb",
                            shopify_webhook_secret=shopify.SECRET)
    payload = {**fixture_json("shopify/orders-create.json"), "processed_at": "0001-01-01T00:00:00+01:00"}
    assert shopify.deliver(client, "orders/create", json.dumps(payload).encode(), "wh-1").status_code == 200
    assert store.order(shop, shopify.ORDER_ID).placed_at == datetime(2026, 11, 20, 8, 14, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment", ["Fri, 31 Dec 9999 23:59:59 -1200", "Wed, 31 Dec 1969 23:59:59 +0000",
                                    "Thu, 01 Jan 2099 00:00:00 +0000"])
def test_bigcommerce(client, factory, portal, store, moment):
    shop = factory.merchant("kaffeehaus", name="Kaffeehaus", currency="USD",
                            bigcommerce_webhook_secret=bigcommerce.SECRET)
    payload = fixture_json("bigcommerce/order-full.json")
    payload.update(date_created=moment, date_modified=moment, date_shipped=moment)
    for shipment in payload["shipments"]:
        shipment["date_created"] = moment
    response = bigcommerce.deliver(client, json.dumps(payload).encode(), "bc-1")
    check_stored(response, client, factory, portal, shop, store.order(shop, "4817"))

    later = {**payload, "date_modified": "Sat, 21 Nov 2026 08:00:00 +0000", "staff_notes": "Leave at the door"}
    assert bigcommerce.deliver(client, json.dumps(later).encode(), "bc-2").json()["result"] == "stored"
    assert store.order(shop, "4817").note == "Leave at the door"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "99999999999"])
def test_woocommerce(client, factory, portal, store, moment):
    shop = factory.merchant("candles", name="Candle Co", currency="GBP", locale="en",
                            woocommerce_webhook_secret=woocommerce.SECRET)
    payload = fixture_json("woocommerce/order-updated.json")
    for key in ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt"):
        payload[key] = moment
    for meta in payload["meta_data"]:
        if meta["key"] == "_wc_shipment_tracking_items":
            meta["value"][0]["date_shipped"] = moment
    response = woocommerce.deliver(client, json.dumps(payload).encode(), "wc-1")
    check_stored(response, client, factory, portal, shop, store.order(shop, "1893"))
    page = html(client.get(factory.link(shop, store.order(shop, "1893"))))
    assert page.select_one(".shipment") is not None

    later = {**payload, "date_modified_gmt": "2026-11-20T10:00:00", "status": "cancelled"}
    assert woocommerce.deliver(client, json.dumps(later).encode(), "wc-2").json()["result"] == "stored"
    assert store.order(shop, "1893").status == "cancelled"


def test_a_stored_far_future_version_does_not_make_updates_look_older(client, factory, portal, store):
    shop = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", locale="nb",
                            shopify_webhook_secret=shopify.SECRET)
    payload = fixture_json("shopify/orders-updated.json")
    assert shopify.deliver(client, "orders/updated", json.dumps(payload).encode(), "wh-1").status_code == 200
    with session_scope(portal.engine) as session:  # a version time stored before the range existed
        order = store.order(shop, shopify.ORDER_ID)
        order.source_updated_at = datetime(9999, 12, 31, tzinfo=timezone.utc)
        session.add(order)

    later = {**payload, "updated_at": "2026-11-22T10:00:00+01:00", "financial_status": "refunded"}
    response = shopify.deliver(client, "orders/updated", json.dumps(later).encode(), "wh-2")
    assert response.json()["result"] == "stored", response.text
    assert store.order(shop, shopify.ORDER_ID).payment_status == "refunded"


# A value that is no time at all is refused like a bad currency (422, the field named in the
# delivery log), where standing in "now" for it would tell the shopper a wrong date.

def check_refused(response, store, shop, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith(f"{field}: ")
    assert store.orders(shop) == []
    assert [(d.result, d.reason.split(": ")[0]) for d in store.deliveries(shop)] == [("rejected", field)]


SHOPS = {
    "shopify": ("shopify/orders-updated.json", {"slug": "nordlys", "currency": "NOK",
                                                "shopify_webhook_secret": shopify.SECRET},
                lambda client, body: shopify.deliver(client, "orders/updated", body, "wh-1")),
    "bigcommerce": ("bigcommerce/order-full.json", {"slug": "kaffeehaus", "currency": "USD",
                                                    "bigcommerce_webhook_secret": bigcommerce.SECRET},
                    lambda client, body: bigcommerce.deliver(client, body, "bc-1")),
    "woocommerce": ("woocommerce/order-updated.json", {"slug": "candles", "currency": "GBP",
                                                       "woocommerce_webhook_secret": woocommerce.SECRET},
                    lambda client, body: woocommerce.deliver(client, body, "wc-1")),
}
TRACKING_ITEM = ("meta_data", 1, "value", 0)


@pytest.mark.parametrize("platform, places, field", [
    ("shopify", [("processed_at",)], "processed_at"),
    ("shopify", [("created_at",)], "created_at"),  # refused although processed_at would do
    ("shopify", [("updated_at",)], "updated_at"),
    ("shopify", [("fulfillments", 0, "created_at")], "fulfillments.created_at"),
    ("bigcommerce", [("date_created",)], "date_created"),
    ("bigcommerce", [("date_modified",)], "date_modified"),
    ("bigcommerce", [("shipments", 0, "date_created")], "shipments.date_created"),
    ("woocommerce", [("date_created",), ("date_created_gmt",)], "date_created_gmt"),
    ("woocommerce", [("date_created",)], "date_created"),
    ("woocommerce", [("date_modified_gmt",)], "date_modified_gmt"),
    ("woocommerce", [(*TRACKING_ITEM, "date_shipped")], "meta_data._wc_shipment_tracking_items.date_shipped"),
])
def test_a_time_that_cannot_be_read_refuses_the_delivery(client, factory, store, platform, places, field):
    fixture, merchant, send = SHOPS[platform]
    shop = factory.merchant(**merchant)
    payload = fixture_json(fixture)
    for place in places:
        target = payload
        for key in place[:-1]:
            target = target[key]
        target[place[-1]] = "not a date"
    check_refused(send(client, json.dumps(payload).encode()), store, shop, field)


def test_an_absent_time_still_means_now(client, factory, store):
    shop = factory.merchant("kaffeehaus", name="Kaffeehaus", currency="USD",
                            bigcommerce_webhook_secret=bigcommerce.SECRET)
    payload = fixture_json("bigcommerce/order-full.json")
    payload["date_created"] = None
    del payload["date_modified"]
    before = datetime.now(timezone.utc)
    response = bigcommerce.deliver(client, json.dumps(payload).encode(), "bc-1")
    assert response.json()["result"] == "stored", response.text
    assert store.order(shop, "4817").placed_at >= before.replace(microsecond=0)
