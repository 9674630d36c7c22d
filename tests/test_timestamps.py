"""Times from outside: one accepted range (1970-2100 in UTC, carrier events at most 24 hours ahead)
for the API, the bulk of carrier events, the CSV import and the platforms' webhooks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from portal.ingest import platform_orders
from portal.ingest.platforms import payloads
from portal.orders.upsert import number_key
from portal.store import queries
from tests.conftest import now, order_data

UPS = "1Z999AA10123456784"

# Each is a valid ISO 8601 time that the range refuses; the first two overflow when made UTC.
OUT_OF_RANGE = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1969-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
    "2100-12-31T23:00:00-02:00",  # 2101 once in UTC
]


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_an_order_placed_out_of_range_is_refused_naming_the_field(client, auth, moment):
    response = client.post("/api/v1/orders", json=order_data(placed_at=moment), headers=auth)
    assert response.status_code == 422, response.text
    assert fields(response) == ["placed_at"]
    assert "1970" in response.json()["errors"][0]["message"]
    assert client.get("/api/v1/orders/1001", headers=auth).status_code == 404


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_a_shipment_or_event_out_of_range_in_an_order_is_refused(client, auth, moment):
    data = order_data(shipments=[{"tracking_number": UPS, "shipped_at": moment,
                                  "events": [{"at": moment, "status": "in_transit"}]}])
    response = client.post("/api/v1/orders", json=data, headers=auth)
    assert response.status_code == 422, response.text
    assert fields(response) == ["shipments.0.shipped_at", "shipments.0.events.0.at"]


def test_the_ends_of_the_range_are_accepted(client, auth):
    soon = now() + timedelta(hours=23)
    data = order_data(placed_at="1970-01-01T00:00:00Z",
                      shipments=[{"tracking_number": UPS, "shipped_at": "2100-12-31T23:59:59Z",
                                  "events": [{"at": iso(soon), "status": "in_transit"}]}])
    response = client.post("/api/v1/orders", json=data, headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["placed_at"] == "1970-01-01T00:00:00+00:00"
    assert body["shipments"][0]["shipped_at"] == "2100-12-31T23:59:59+00:00"


def test_a_carrier_event_more_than_a_day_ahead_is_refused(client, auth):
    late = now() + timedelta(hours=25)
    data = order_data(shipments=[{"tracking_number": UPS, "events": [{"at": iso(late), "status": "delivered"}]}])
    response = client.post("/api/v1/orders", json=data, headers=auth)
    assert response.status_code == 422
    assert fields(response) == ["shipments.0.events.0.at"]
    assert "24 hours" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_shipment_and_event_endpoints_refuse_out_of_range_times(client, auth, moment):
    assert client.post("/api/v1/orders", json=order_data(), headers=auth).status_code == 201
    response = client.post("/api/v1/orders/1001/shipments", json={"tracking_number": UPS, "shipped_at": moment},
                           headers=auth)
    assert response.status_code == 422, response.text
    assert fields(response) == ["shipped_at"]

    shipment = client.post("/api/v1/orders/1001/shipments", json={"tracking_number": UPS}, headers=auth).json()
    response = client.post(f"/api/v1/shipments/{shipment['id']}/events",
                           json={"events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit"},
                                            {"at": moment, "status": "delivered"}]}, headers=auth)
    assert response.status_code == 422, response.text
    assert fields(response) == ["events.1.at"]
    assert client.get("/api/v1/orders/1001", headers=auth).json()["shipments"][0]["events"] == []


def test_an_estimated_delivery_date_out_of_range_is_refused(client, auth):
    assert client.post("/api/v1/orders", json=order_data(), headers=auth).status_code == 201
    response = client.post("/api/v1/orders/1001/shipments", headers=auth, json={
        "tracking_number": UPS, "estimated_delivery": "2026-12-10", "estimated_delivery_end": "9999-12-31"})
    assert response.status_code == 422, response.text
    assert fields(response) == ["estimated_delivery_end"]


def test_in_a_bulk_only_the_out_of_range_events_are_invalid(client, auth):
    data = order_data(fulfillment_status="fulfilled", shipments=[{"tracking_number": UPS}])
    assert client.post("/api/v1/orders", json=data, headers=auth).status_code == 201
    events = [{"tracking_number": UPS, "at": moment, "status": "delivered"} for moment in OUT_OF_RANGE]
    events.insert(3, {"tracking_number": UPS, "at": "2026-11-03T08:00:00Z", "status": "in_transit"})
    events.append({"tracking_number": UPS, "at": iso(now() + timedelta(days=2)), "status": "delivered"})
    response = client.post("/api/v1/events", json={"events": events}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["added"], body["invalid"]) == (1, len(OUT_OF_RANGE) + 1)
    results = body["results"]
    assert results[3]["result"] == "added"
    for index, result in enumerate(results):
        if index != 3:
            assert result["result"] == "invalid"
            assert [error["field"] for error in result["errors"]] == [f"events.{index}.at"]
    order = client.get("/api/v1/orders/1001", headers=auth).json()
    assert order["shipments"][0]["status"] == "in_transit"
    assert [event["at"] for event in order["shipments"][0]["events"]] == ["2026-11-03T08:00:00+00:00"]


def _stored_event(portal, merchant, at: datetime, status: str) -> None:
    """An event written before the range existed, straight through the store."""
    from portal.store.models import TrackingEvent

    with portal.session() as session:
        order = queries.order_by_number_key(session, merchant.id, number_key("1001"))
        (shipment,) = queries.shipments(session, order.id)
        session.add(TrackingEvent(shipment_id=shipment.id, at=at, status=status))
        shipment.status = status
        session.add(shipment)
        session.commit()


FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def test_a_stored_far_future_event_does_not_pin_the_parcel(client, auth, portal, merchant):
    data = order_data(fulfillment_status="fulfilled",
                      shipments=[{"tracking_number": UPS,
                                  "events": [{"at": "2026-11-02T08:00:00Z", "status": "info_received"}]}])
    assert client.post("/api/v1/orders", json=data, headers=auth).status_code == 201
    _stored_event(portal, merchant, FAR_FUTURE, "exception")
    _stored_event(portal, merchant, datetime(2099, 1, 1, tzinfo=timezone.utc), "returning")

    bulk = [{"tracking_number": UPS, "at": "2026-11-03T08:00:00Z", "status": "in_transit"}]
    assert client.post("/api/v1/events", json={"events": bulk}, headers=auth).json()["added"] == 1
    assert client.get("/api/v1/orders/1001", headers=auth).json()["shipments"][0]["status"] == "in_transit"

    # An older event than the parcel's latest valid one does not turn it back.
    bulk = [{"tracking_number": UPS, "at": "2026-11-02T09:00:00Z", "status": "info_received"}]
    assert client.post("/api/v1/events", json={"events": bulk}, headers=auth).json()["added"] == 1
    assert client.get("/api/v1/orders/1001", headers=auth).json()["shipments"][0]["status"] == "in_transit"

    shipment_id = client.get("/api/v1/orders/1001", headers=auth).json()["shipments"][0]["id"]
    response = client.post(f"/api/v1/shipments/{shipment_id}/events",
                           json={"events": [{"at": "2026-11-04T08:00:00Z", "status": "delivered"}]}, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "delivered"


def test_a_stored_far_future_event_does_not_overrule_a_stated_status(client, auth, portal, merchant):
    data = order_data(fulfillment_status="fulfilled", shipments=[{"tracking_number": UPS}])
    assert client.post("/api/v1/orders", json=data, headers=auth).status_code == 201
    _stored_event(portal, merchant, FAR_FUTURE, "delivered")
    # A platform or file stating the parcel's status is not "old news" next to a bogus event.
    response = client.post("/api/v1/orders/1001/shipments", json={"tracking_number": UPS, "status": "in_transit"},
                           headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "in_transit"


CSV_HEADER = "number,email,placed_at,currency,total,item_title,item_quantity,item_unit_price,tracking_number,shipped_at\n"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "1900-01-01"])
def test_a_csv_row_out_of_range_is_an_error_on_its_line(portal, merchant, moment):
    from portal.ingest import csv_import

    rows = (CSV_HEADER + f"#3001,a@example.com,{moment},USD,1,Cap,1,1.00,,\n"
            + f"#3002,b@example.com,,USD,1,Cap,1,1.00,{UPS},{moment}\n"
            + "#3003,c@example.com,2026-11-02T10:30:00Z,USD,1,Cap,1,1.00,,\n")
    report = csv_import.run(portal.engine, merchant, rows.encode())
    assert [(error.line, error.column) for error in report.errors] == [(2, "placed_at"), (3, "shipped_at")]
    assert report.created == ["#3003"]


@pytest.mark.parametrize("text", [
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59",
    "Wed, 31 Dec 1969 23:59:59 +0000", "Fri, 31 Dec 9999 23:59:59 -1200", "99999999999", "Tue, 01 Jan 2101 00:00:00 +0000",
])
def test_a_platform_time_out_of_range_is_dropped(text):
    assert payloads.timestamp(text, "created_at") is None


def test_a_platform_time_in_range_is_read_as_utc():
    moment = datetime(2026, 11, 20, 8, 14, 4, tzinfo=timezone.utc)
    assert payloads.timestamp("2026-11-20T09:14:04+01:00", "created_at") == moment
    assert payloads.timestamp("Fri, 20 Nov 2026 08:14:04 +0000", "created_at") == moment
    assert payloads.timestamp("1795683244", "created_at") == datetime(2026, 11, 26, 8, 54, 4, tzinfo=timezone.utc)
