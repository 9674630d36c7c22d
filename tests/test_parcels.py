"""Each parcel's own progress, the order's status following its parcels, and a timeline that names
the parcel of each tracking entry without saying anything twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.conftest import html, text_of

UPS, USPS = "1Z999AA10123456784", "9400111899223197428490"


def two_parcels(first: str = "delivered", second: str = "in_transit", **order):
    return {
        "fulfillment_status": "partially_fulfilled",
        "shipments": [
            {"carrier": "UPS", "tracking_number": UPS, "status": first,
             "events": [{"at": "2026-11-04T15:30:00Z", "status": first, "message": "Left at front door"}]},
            {"carrier": "USPS", "tracking_number": USPS, "status": second,
             "events": [{"at": "2026-11-04T08:00:00Z", "status": second, "message": "Arrived at USPS facility"}]},
        ],
        **order,
    }


def shipping_badge(page) -> str:
    for block in page.select("#panel-status .badges > div"):
        if text_of(block.find("dt")) == "Shipping":
            return text_of(block.find(class_="badge"))
    raise AssertionError("no Shipping badge")


def parcel_steps(page) -> list[str]:
    return [text_of(card.select_one(".parcel-steps [aria-current=step]")) for card in page.select(".shipment")]


def test_each_parcel_shows_its_own_step(client, factory, merchant):
    page = html(client.get(factory.link(merchant, factory.order(merchant, **two_parcels()))))
    assert parcel_steps(page) == ["Delivered", "Shipped"]
    problem = html(client.get(factory.link(merchant, factory.order(
        merchant, **two_parcels("attempt_fail", "out_for_delivery", number="#1002")))))
    assert parcel_steps(problem) == ["Out for delivery", "Out for delivery"]
    assert "parcel-steps--problem" in problem.select(".parcel-steps")[0]["class"]


def test_the_status_follows_the_parcels(client, factory, merchant):
    key = factory.api_key(merchant)
    order = factory.order(merchant, **two_parcels())
    link = factory.link(merchant, order)
    assert shipping_badge(html(client.get(link))) == "Partially shipped"
    # The second parcel arrives: the shop still says items are to ship, and the page says so.
    shipment = client.get("/api/v1/orders/1001", headers={"Authorization": f"Bearer {key}"}).json()["shipments"][1]
    response = client.post(f"/api/v1/shipments/{shipment['id']}/events", headers={"Authorization": f"Bearer {key}"},
                           json={"events": [{"at": "2026-11-06T10:00:00Z", "status": "delivered"}]})
    assert response.status_code < 300, response.text
    page = html(client.get(link))
    assert shipping_badge(page) == "Partly delivered"
    assert text_of(page.find(id="order-headline")) == "Partly delivered: more items to come"
    # Once the shop has shipped everything, every parcel delivered means delivered.
    factory.order(merchant, **two_parcels("delivered", "delivered", fulfillment_status="fulfilled"))
    page = html(client.get(link))
    assert shipping_badge(page) == "Delivered"
    assert text_of(page.find(id="order-headline")).startswith("Delivered ")
    assert page.select_one(".progress [aria-current=step]").get_text(strip=True) == "Delivered"


def test_timeline_names_the_parcel_and_says_each_thing_once(client, factory, merchant):
    order = factory.order(merchant, fulfillment_status="fulfilled", shipments=[
        {"carrier": "UPS", "tracking_number": UPS,
         "events": [{"at": "2026-11-05T07:00:00Z", "status": "out_for_delivery", "message": "Out for delivery."}]},
        {"carrier": "USPS", "tracking_number": USPS,
         "events": [{"at": "2026-11-04T15:30:00Z", "status": "delivered", "message": "Left at front door"}]},
    ])
    page = html(client.get(factory.link(merchant, order)))
    entries = {text_of(li.select_one(".timeline__title")): li for li in page.select("#panel-timeline li")}
    van, done = entries["Out for delivery"], entries["Delivered"]
    assert UPS in text_of(van.select_one(".timeline__parcel")) and "UPS" in text_of(van.select_one(".timeline__parcel"))
    assert USPS in text_of(done.select_one(".timeline__parcel"))
    assert van.select_one(".timeline__message") is None  # "Out for delivery." under "Out for delivery": once
    assert text_of(done.select_one(".timeline__message")) == "Left at front door"
    events = page.select("#shipment-1 .event")
    assert [text_of(e) for e in events if e.select_one(".event__message")] == []
    # The carrier's English under a German title is still the same thing said twice.
    german = html(client.get(factory.link(merchant, order) + "?lang=de"))
    assert not german.select("#panel-timeline .timeline__entry--out_for_delivery .timeline__message")


def test_a_parcel_shows_its_latest_five_events_and_the_rest_behind_details(client, factory, merchant):
    start = datetime(2026, 11, 2, 8, tzinfo=timezone.utc)
    events = [{"at": (start + timedelta(hours=6 * n)).isoformat(), "status": "in_transit",
               "message": f"Scan {n}", "location": "Hub"} for n in range(8)]
    order = factory.order(merchant, fulfillment_status="fulfilled",
                          shipments=[{"carrier": "UPS", "tracking_number": UPS, "events": events}])
    page = html(client.get(factory.link(merchant, order)))
    card = page.select_one(".shipment")
    shown = card.find("ol", class_="events", recursive=False)
    assert [text_of(e.select_one(".event__message")) for e in shown.select(".event")] == \
        ["Scan 7", "Scan 6", "Scan 5", "Scan 4", "Scan 3"]
    earlier = card.find("details")
    assert text_of(earlier.find("summary")) == "3 earlier updates"
    assert [text_of(e.select_one(".event__message")) for e in earlier.select(".event")] == ["Scan 2", "Scan 1", "Scan 0"]
    few = factory.order(merchant, number="#1002", fulfillment_status="fulfilled",
                        shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456795", "events": events[:5]}])
    assert html(client.get(factory.link(merchant, few))).select_one(".shipment details") is None
