"""POST /api/v1/events: carrier and aggregator updates by tracking number, in bulk."""

from __future__ import annotations

import pytest

from portal.orders.upsert import number_key
from portal.schemas import MAX_EVENTS_PER_REQUEST
from portal.statuses import SHIPMENT_STATUSES, shipment_status
from portal.store import queries
from tests.conftest import html, order_data, text_of

UPS = "1Z999AA10123456784"
USPS = "9400111899223197428490"


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


@pytest.fixture
def two_parcels(client, auth):
    """Order #1001, fulfilled, in two parcels."""
    data = order_data(fulfillment_status="fulfilled",
                      shipments=[{"tracking_number": UPS}, {"tracking_number": USPS, "carrier": "USPS"}])
    assert client.post("/api/v1/orders", json=data, headers=auth).status_code == 201


def post(client, auth, *events):
    return client.post("/api/v1/events", json={"events": list(events)}, headers=auth)


def read(client, auth, number="1001"):
    return client.get(f"/api/v1/orders/{number}", headers=auth).json()


def shipping_badge(client, factory, merchant, number="1001") -> str:
    with factory.portal.session() as session:
        order = queries.order_by_number_key(session, merchant.id, number_key(number))
    page = html(client.get(factory.link(merchant, order)))
    for block in page.select("#panel-status .badges > div"):
        if text_of(block.find("dt")) == "Shipping":
            return text_of(block.find(class_="badge"))
    raise AssertionError("no Shipping badge")


@pytest.mark.parametrize("spelling, canonical", [
    ("InfoReceived", "info_received"), ("InTransit", "in_transit"), ("OutForDelivery", "out_for_delivery"),
    ("AttemptFail", "attempt_fail"), ("AvailableForPickup", "available_for_pickup"), ("Exception", "exception"),
    ("Expired", "expired"), ("Delivered", "delivered"), ("Pending", "pending"), ("NotFound", "pending"),
    ("DeliveryFailure", "attempt_fail"), ("pre_transit", "info_received"), ("TRANSIT", "in_transit"),
    ("RETURNED", "returning"), ("return_to_sender", "returning"), ("FAILURE", "exception"),
    ("failed_attempt", "attempt_fail"), ("ready_for_pickup", "available_for_pickup"),
    ("attempted_delivery", "attempt_fail"), ("label_printed", "info_received"), ("pickup", "out_for_delivery"),
    ("undelivered", "attempt_fail"), ("Exception_Returning", "returning"), ("  in-transit ", "in_transit"),
])
def test_aggregator_spellings(spelling, canonical):
    assert shipment_status(spelling) == canonical


def test_canonical_values_map_to_themselves_and_nonsense_to_nothing():
    assert [shipment_status(s) for s in SHIPMENT_STATUSES] == list(SHIPMENT_STATUSES)
    assert shipment_status("teleported") is None
    assert shipment_status("") is None


def test_bulk_events_are_matched_by_tracking_number_and_reported_one_by_one(client, auth, two_parcels):
    response = post(
        client, auth,
        {"tracking_number": "1z 999 aa1 0123 456 784", "at": "2026-11-03T08:00:00Z", "status": "InTransit",
         "location": "Louisville, KY"},
        {"tracking_number": UPS, "at": "2026-11-04T07:00:00Z", "status": "OutForDelivery"},
        {"tracking_number": UPS, "at": "2026-11-04T07:00:00Z", "status": "out_for_delivery"},  # same event
        {"tracking_number": "NOPE123", "at": "2026-11-04T07:00:00Z", "status": "Delivered"},
        {"tracking_number": UPS, "at": "2026-11-04T07:30:00Z", "status": "Teleported"},
        "not an object",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["received"], body["added"], body["duplicates"], body["unknown"], body["invalid"]) == (6, 2, 1, 1, 2)
    assert [r["result"] for r in body["results"]] == [
        "added", "added", "duplicate", "unknown_tracking_number", "invalid", "invalid"]
    assert body["results"][3]["tracking_number"] == "NOPE123"
    assert body["results"][4]["errors"][0]["field"] == "events.4.status"
    shipment = read(client, auth)["shipments"][0]
    assert shipment["status"] == "out_for_delivery"
    assert [(e["status"], e["location"]) for e in shipment["events"]] == [
        ("out_for_delivery", None), ("in_transit", "Louisville, KY")]


def test_order_is_delivered_only_when_every_parcel_is(client, auth, factory, merchant, two_parcels):
    post(client, auth, {"tracking_number": UPS, "at": "2026-11-04T10:00:00Z", "status": "Delivered"})
    order = read(client, auth)
    assert [s["status"] for s in order["shipments"]] == ["delivered", "pending"]
    assert shipping_badge(client, factory, merchant) == "Shipped"

    version = read(client, auth)["version"]
    post(client, auth, {"tracking_number": USPS, "at": "2026-11-05T10:00:00+01:00", "status": "DELIVERED"})
    order = read(client, auth)
    assert [s["status"] for s in order["shipments"]] == ["delivered", "delivered"]
    assert order["fulfillment_status"] == "fulfilled"
    assert order["version"] == version + 1
    assert shipping_badge(client, factory, merchant) == "Delivered"


def test_a_delivered_parcel_fulfils_an_order_the_platform_never_marked(client, auth):
    client.post("/api/v1/orders", json=order_data(shipments=[{"tracking_number": UPS}]), headers=auth)
    assert read(client, auth)["fulfillment_status"] == "unfulfilled"
    post(client, auth, {"tracking_number": UPS, "at": "2026-11-04T10:00:00Z", "status": "delivered"})
    assert read(client, auth)["fulfillment_status"] == "fulfilled"


def test_partially_fulfilled_order_stays_partial(client, auth, factory, merchant):
    client.post("/api/v1/orders", json=order_data(fulfillment_status="partially_fulfilled",
                                                  shipments=[{"tracking_number": UPS}]), headers=auth)
    post(client, auth, {"tracking_number": UPS, "at": "2026-11-04T10:00:00Z", "status": "Delivered"})
    assert read(client, auth)["fulfillment_status"] == "partially_fulfilled"
    # Every parcel arrived, items remain to ship: neither "Partially shipped" nor "Delivered".
    assert shipping_badge(client, factory, merchant) == "Partly delivered"


def test_resending_a_batch_changes_nothing(client, auth, two_parcels):
    events = [{"tracking_number": UPS, "at": f"2026-11-0{day}T08:00:00Z", "status": "in_transit"} for day in (3, 4)]
    assert post(client, auth, *events).json()["added"] == 2
    before = read(client, auth)
    again = post(client, auth, *events).json()
    assert (again["added"], again["duplicates"]) == (0, 2)
    after = read(client, auth)
    assert after["version"] == before["version"]
    assert after["updated_at"] == before["updated_at"]


def test_one_parcel_shared_by_two_orders_updates_both(client, auth):
    for number in ("#1001", "#1002"):
        client.post("/api/v1/orders", json=order_data(number=number, shipments=[{"tracking_number": UPS}]),
                    headers=auth)
    body = post(client, auth, {"tracking_number": UPS, "at": "2026-11-04T10:00:00Z", "status": "in_transit"}).json()
    assert body["added"] == 1
    assert read(client, auth, "1001")["shipments"][0]["status"] == "in_transit"
    assert read(client, auth, "1002")["shipments"][0]["status"] == "in_transit"


def test_another_merchants_tracking_numbers_are_unknown(client, auth, factory, two_parcels):
    rival = {"Authorization": f"Bearer {factory.api_key(factory.merchant('rival'))}"}
    body = post(client, rival, {"tracking_number": UPS, "at": "2026-11-04T10:00:00Z", "status": "delivered"}).json()
    assert body["results"][0]["result"] == "unknown_tracking_number"
    assert read(client, auth)["shipments"][0]["events"] == []


def test_envelope_errors(client, auth):
    assert client.post("/api/v1/events", json={"events": []}).status_code == 401
    bad_json = client.post("/api/v1/events", content=b"{", headers={**auth, "Content-Type": "application/json"})
    assert bad_json.status_code == 400
    for body in ({"events": []}, {"events": "x"}, {}, [1], {"events": [{}] * (MAX_EVENTS_PER_REQUEST + 1)}):
        response = client.post("/api/v1/events", json=body, headers=auth)
        assert response.status_code == 422, body
        assert response.json()["error"] == "validation_failed"


def test_openapi_documents_the_endpoint(client):
    doc = client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/events"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("TrackingUpdatesIn")
    item = doc["components"]["schemas"]["TrackingUpdateIn"]
    assert {"tracking_number", "at", "status"} <= set(item["required"])
    assert "InTransit" in item["properties"]["status"]["examples"]


def test_a_late_older_event_neither_repeats_nor_turns_the_parcel_back(client, auth, two_parcels):
    """Deduplication and "latest event wins" also hold against events stored long before."""
    first = [{"tracking_number": UPS, "at": "2026-11-03T08:00:00Z", "status": "in_transit"},
             {"tracking_number": UPS, "at": "2026-11-05T08:00:00Z", "status": "out_for_delivery"}]
    assert post(client, auth, *first).json()["added"] == 2
    # Reaching back before the stored history: new, but not the latest, so the parcel stays put.
    late = post(client, auth, {"tracking_number": UPS, "at": "2026-11-02T07:00:00Z", "status": "info_received"},
                first[0]).json()
    assert (late["added"], late["duplicates"]) == (1, 1)
    parcel = next(s for s in read(client, auth)["shipments"] if s["tracking_number"] == UPS)
    assert parcel["status"] == "out_for_delivery"
    # A repeat of a stored event next to a newer one: the repeat is found, the newer one wins.
    news = post(client, auth, first[1], {"tracking_number": UPS, "at": "2026-11-06T10:00:00Z",
                                         "status": "delivered"}).json()
    assert (news["added"], news["duplicates"]) == (1, 1)
    parcel = next(s for s in read(client, auth)["shipments"] if s["tracking_number"] == UPS)
    assert parcel["status"] == "delivered" and len(parcel["events"]) == 4


def test_an_older_feed_neither_repeats_nor_outranks_a_newer_feeds_latest(client, auth, two_parcels):
    """A feed sending older news than another already did: only the stored events inside the
    bulk's time span and each parcel's latest after it are read (store.parcels.event_keys), and the
    latest instant's best status still wins, whichever of its events it is."""
    newer = [{"tracking_number": UPS, "at": "2026-11-20T09:00:00Z", "status": "in_transit"},
             {"tracking_number": UPS, "at": "2026-11-20T15:00:00Z", "status": "out_for_delivery"},
             {"tracking_number": UPS, "at": "2026-11-20T15:00:00Z", "status": "delivered"}]
    assert post(client, auth, *newer).json()["added"] == 3
    older = [{"tracking_number": UPS, "at": "2026-11-04T08:00:00Z", "status": "info_received"},
             {"tracking_number": UPS, "at": "2026-11-20T09:00:00Z", "status": "in_transit"},  # stored: inside the span
             {"tracking_number": UPS, "at": "2026-11-20T10:00:00Z", "status": "exception"}]
    result = post(client, auth, *older).json()
    assert (result["added"], result["duplicates"]) == (2, 1)
    parcel = next(s for s in read(client, auth)["shipments"] if s["tracking_number"] == UPS)
    assert parcel["status"] == "delivered" and len(parcel["events"]) == 5
