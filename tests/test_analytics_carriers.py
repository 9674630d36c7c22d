"""Carrier performance on /admin/analytics and carriers.csv, checked against shipments whose answers
are known: shipments, median and 90th-percentile days from the first scan to delivery, the share
delivered by the estimated date, the share with an exception; one shop never sees another's."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta, timezone
from typing import Any

from tests.conftest import console_login, html, now, text_of

NOW = now()


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def day(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).date().isoformat()


def shipment(carrier: str, number: str, shipped: float, events: list[tuple[float, str]], **extra: Any) -> dict:
    status = events[-1][1] if events else "pending"
    return {"carrier": carrier, "tracking_number": number, "shipped_at": at(shipped), "status": status,
            "events": [{"at": at(ago), "status": event_status} for ago, event_status in events], **extra}


def seed(factory, merchant) -> None:
    """UPS to the US: 2.0 and 4.0 days, one on time of two with an estimate, one exception of three.
    DHL to Germany: 1.5 days, no estimate. One UPS shipment 40 days ago: only in the 90 days."""
    us = {"country_code": "US", "city": "Portland"}
    factory.order(merchant, number="#2001", shipping_address=us, shipments=[
        shipment("UPS", "1Z0000000000000001", 10, [(10, "info_received"), (9, "in_transit"), (7, "delivered")],
                 estimated_delivery=day(7)),
        shipment("UPS", "1Z0000000000000002", 10, [(9, "in_transit"), (5, "delivered")], estimated_delivery=day(6)),
    ])
    factory.order(merchant, number="#2002", shipping_address=us, shipments=[
        shipment("UPS", "1Z0000000000000003", 3, [(2, "in_transit"), (1, "exception")]),
    ])
    factory.order(merchant, number="#2003", shipping_address={"country_code": "de"}, shipments=[
        shipment("DHL", "JD000000000000000001", 8, [(8, "in_transit"), (6.5, "delivered")]),
    ])
    factory.order(merchant, number="#2004", shipping_address=us, shipments=[
        shipment("UPS", "1Z0000000000000004", 40, [(39, "in_transit"), (30, "delivered")]),
    ])


def table(client, days: int = 30) -> dict[tuple[str, str], list[str]]:
    page = html(client.get(f"/admin/analytics?days={days}"))
    return {(row["data-carrier"], row["data-country"]): [text_of(cell) for cell in row.find_all(["th", "td"])]
            for row in page.select("tr.carrier-row")}


def test_carrier_figures_match_known_shipments(client, factory, merchant):
    seed(factory, merchant)
    console_login(client, factory, merchant)
    rows = table(client)
    assert rows == {
        ("ups", "US"): ["UPS", "United States", "3", "2", "3.0", "4.0", "50%", "33.3%"],
        ("dhl", "DE"): [rows[("dhl", "DE")][0], "Germany", "1", "1", "1.5", "1.5", "–", "0%"],
    }
    assert list(rows) == [("ups", "US"), ("dhl", "DE")]  # the most shipments first
    assert table(client, days=90)[("ups", "US")][2:6] == ["4", "3", "4.0", "9.0"]
    assert table(client, days=7)[("ups", "US")][2:4] == ["1", "0"]

    chart = html(client.get("/admin/analytics")).select_one("#transit-chart-desc")
    assert "the slowest: UPS to United States, 3.0 days" in text_of(chart)


def test_carriers_csv_parses_and_matches(client, factory, merchant):
    seed(factory, merchant)
    console_login(client, factory, merchant)
    response = client.get("/admin/analytics/carriers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = {(r["carrier"], r["country"]): r for r in csv.DictReader(io.StringIO(response.text))}
    ups = rows[("ups", "US")]
    assert (ups["carrier_name"], ups["shipments"], ups["delivered"], ups["median_days"], ups["p90_days"]) == (
        "UPS", "3", "2", "3.0", "4.0")
    assert (ups["delivered_with_estimate"], ups["delivered_by_estimate_share"]) == ("2", "0.5")
    assert (ups["with_exception"], ups["exception_share"]) == ("1", "0.3333")
    assert rows[("dhl", "DE")]["delivered_by_estimate_share"] == ""
    assert len(rows) == 2


def test_a_shop_sees_only_its_own_carriers(client, factory, merchant):
    seed(factory, merchant)
    other = factory.merchant("other", name="Other Shop")
    console_login(client, factory, other)
    assert table(client, days=90) == {}
    assert "No shipments were shipped in this period." in client.get("/admin/analytics").text
    assert list(csv.DictReader(io.StringIO(client.get("/admin/analytics/carriers.csv?days=90").text))) == []


def test_names_from_outside_cannot_become_spreadsheet_formulas(client, factory, merchant):
    factory.order(merchant, number="#3001", shipments=[
        shipment("=HYPERLINK(\"http://evil.example\")", "X1", 2, [(1, "in_transit")])])
    console_login(client, factory, merchant)
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/analytics/carriers.csv").text)))
    assert rows[0]["carrier"].startswith("'=")


def test_delivered_by_the_estimate_goes_by_the_shops_calendar(client, factory):
    """Delivered at 03:00 UTC the day after the estimate: still the estimated day in Los Angeles (on
    time); at 09:00 UTC it is the next day there too (late). 90 days span a daylight saving change."""
    west = factory.merchant("west", name="West Shop", timezone="America/Los_Angeles")
    estimate = (NOW - timedelta(days=10)).date()
    parcels = []
    for hour, number in ((3, "1Z0000000000009001"), (9, "1Z0000000000009002")):
        delivered = datetime.combine(estimate + timedelta(days=1), time(hour), timezone.utc)
        parcels.append({"carrier": "UPS", "tracking_number": number, "shipped_at": at(20), "status": "delivered",
                        "estimated_delivery": estimate.isoformat(),
                        "events": [{"at": at(19), "status": "in_transit"},
                                   {"at": delivered.isoformat(), "status": "delivered"}]})
    factory.order(west, number="#9001", shipping_address={"country_code": "US"}, shipments=parcels)
    console_login(client, factory, west)
    assert table(client, days=90)[("ups", "US")][6] == "50%"


def test_events_arriving_late_and_out_of_order_still_count(client, factory, merchant):
    """The carrier feed sends the delivery first; the first scan and an exception arrive later, one
    of them in a bulk by tracking number: the transit time runs from the earliest scan, and the
    delivered parcel counts as having had an exception."""
    factory.order(merchant, number="#2101", shipping_address={"country_code": "US"}, shipments=[
        shipment("UPS", "1Z0000000000000101", 10, [(10, "info_received"), (5, "delivered")])])
    console_login(client, factory, merchant)
    assert table(client)[("ups", "US")][2:] == ["1", "1", "0.0", "0.0", "–", "0%"]  # the delivery, its only scan

    headers = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    shipment_id = client.get("/api/v1/orders/%232101", headers=headers).json()["shipments"][0]["id"]
    added = client.post(f"/api/v1/shipments/{shipment_id}/events", headers=headers,
                        json={"events": [{"at": at(8), "status": "in_transit"}]})
    assert added.status_code == 201
    assert table(client)[("ups", "US")][4:6] == ["3.0", "3.0"]

    bulk = client.post("/api/v1/events", headers=headers, json={"events": [
        {"tracking_number": "1Z0000000000000101", "at": at(9), "status": "in_transit"},
        {"tracking_number": "1Z0000000000000101", "at": at(7), "status": "exception"}]})
    assert bulk.status_code == 200
    assert table(client)[("ups", "US")][2:] == ["1", "1", "4.0", "4.0", "–", "100%"]
