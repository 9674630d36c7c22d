"""The order API: upserts, validation (422 naming every bad field), shipments, events, isolation."""

from __future__ import annotations

import pytest

from tests.conftest import html, order_data, text_of


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


def test_create_then_read_order(client, auth):
    response = client.post("/api/v1/orders", json=order_data(), headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "#1001"
    assert body["totals"]["total"] == "54.00"
    assert body["presentment_currency"] == "USD"
    assert body["line_items"][0]["unit_price"] == "24.50"
    assert body["tracking_link"].startswith("http://testserver/acme/orders/")

    read = client.get("/api/v1/orders/1001", headers=auth)  # '#' optional
    assert read.status_code == 200
    assert read.json()["email"] == "Shopper@Example.com"


def test_upsert_updates_by_external_id_then_number(client, auth):
    client.post("/api/v1/orders", json=order_data(external_id="ext-1"), headers=auth)
    again = client.post("/api/v1/orders", json=order_data(external_id="ext-1", number="#1001-A",
                                                          payment_status="refunded"), headers=auth)
    assert again.status_code == 200
    assert again.json()["number"] == "#1001-A"
    assert client.get("/api/v1/orders/1001", headers=auth).status_code == 404
    by_number = client.post("/api/v1/orders", json=order_data(number="#1001-A", fulfillment_status="fulfilled"),
                            headers=auth)
    assert by_number.status_code == 200
    assert by_number.json()["payment_status"] == "paid"


def test_presentment_currency_amounts(client, auth):
    data = order_data(currency="NOK", presentment_currency="EUR",
                      totals={"subtotal": "1000", "total": "1000"},
                      presentment_totals={"subtotal": "86.50", "total": "86.50"},
                      line_items=[{"title": "Sweater", "unit_price": "1000.00", "presentment_unit_price": "86.50"}])
    body = client.post("/api/v1/orders", json=data, headers=auth).json()
    assert body["totals"]["total"] == "1000.00"
    assert body["presentment_totals"]["total"] == "86.50"
    assert body["line_items"][0]["presentment_unit_price"] == "86.50"


def test_zero_decimal_currency(client, auth):
    data = order_data(currency="JPY", totals={"total": "1500"},
                      line_items=[{"title": "Tea", "unit_price": "1500"}])
    assert client.post("/api/v1/orders", json=data, headers=auth).json()["totals"]["total"] == "1500"
    bad = client.post("/api/v1/orders", json=order_data(number="2", currency="JPY", totals={"total": "15.50"}),
                      headers=auth)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "totals.total"


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "CHE"])
def test_codes_that_are_no_money_a_shop_takes_are_refused(client, auth, code):
    """ISO 4217 also lists "no currency", the test code, gold and fund units: no order is paid in them."""
    response = client.post("/api/v1/orders", json=order_data(currency=code), headers=auth)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["currency"]
    assert client.post("/api/v1/orders", json=order_data(currency="HRK"), headers=auth).status_code == 201  # kuna, until 2023


def test_validation_names_every_bad_field_and_saves_nothing(client, auth):
    data = order_data(
        currency="XYZ",
        payment_status="kind of paid",
        email="not-an-email",
        tags=["ok", "x" * 41],
        line_items=[{"title": "", "quantity": -1, "unit_price": "abc"}],
        shipments=[{"tracking_number": "1Z999AA10123456784", "status": "teleported"}],
    )
    response = client.post("/api/v1/orders", json=data, headers=auth)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"currency", "payment_status", "email", "tags", "line_items.0.title", "line_items.0.quantity",
            "line_items.0.unit_price", "shipments.0.status"} <= fields
    assert client.get("/api/v1/orders/1001", headers=auth).status_code == 404


def test_presentment_totals_required_when_currencies_differ(client, auth):
    response = client.post("/api/v1/orders", json=order_data(presentment_currency="EUR"), headers=auth)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"presentment_totals", "line_items.0.presentment_unit_price"} <= fields


def test_tags_are_trimmed(client, auth):
    body = client.post("/api/v1/orders", json=order_data(tags=["  gift  ", "gift", "x" * 40]), headers=auth).json()
    assert body["tags"] == ["gift", "x" * 40]


def test_old_orders_are_kept_and_served(client, auth):
    response = client.post("/api/v1/orders", json=order_data(placed_at="2016-01-05T09:00:00Z"), headers=auth)
    assert response.status_code == 201
    assert client.get("/api/v1/orders/1001", headers=auth).json()["placed_at"].startswith("2016-01-05")


def test_malformed_json_and_missing_key(client, auth):
    bad = client.post("/api/v1/orders", content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "malformed_json"
    assert client.post("/api/v1/orders", json=order_data()).status_code == 401
    assert client.post("/api/v1/orders", json=order_data(),
                       headers={"Authorization": "Bearer ptk_wrong"}).status_code == 401


def test_body_over_the_cap_is_refused(client, auth, settings):
    big = b"x" * (settings.max_body_bytes + 1)
    response = client.post("/api/v1/orders", content=big, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 413


def test_shipments_and_events(client, auth):
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    shipment = client.post("/api/v1/orders/1001/shipments",
                           json={"tracking_number": "1Z 999 AA1 0123 456 784", "estimated_delivery": "2026-11-10"},
                           headers=auth)
    assert shipment.status_code == 201, shipment.text
    body = shipment.json()
    assert body["carrier"] == "ups"
    assert "1Z999AA10123456784" in body["tracking_url"]
    events = {"events": [
        {"at": "2026-11-03T08:00:00Z", "status": "in_transit", "location": "Louisville, KY"},
        {"at": "2026-11-04T09:00:00+01:00", "status": "delivered", "message": "Left at front door"},
    ]}
    first = client.post(f"/api/v1/shipments/{body['id']}/events", json=events, headers=auth)
    assert first.status_code == 201
    assert first.json() == {"shipment_id": body["id"], "status": "delivered", "added": 2, "duplicates": 0}
    again = client.post(f"/api/v1/shipments/{body['id']}/events", json=events, headers=auth)
    assert again.json()["added"] == 0 and again.json()["duplicates"] == 2
    order = client.get("/api/v1/orders/1001", headers=auth).json()
    assert [e["status"] for e in order["shipments"][0]["events"]] == ["delivered", "in_transit"]


def test_merchant_carrier_wins_over_detection(client, auth):
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    body = client.post("/api/v1/orders/1001/shipments",
                       json={"carrier": "USPS", "tracking_number": "1Z999AA10123456785"}, headers=auth).json()
    assert body["carrier"] == "usps"


def test_one_merchant_cannot_read_or_change_another_merchants_orders(client, factory, auth):
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    shipment = client.post("/api/v1/orders/1001/shipments", json={"tracking_number": "1Z999AA10123456784"},
                           headers=auth).json()
    other = factory.merchant("rival")
    rival = {"Authorization": f"Bearer {factory.api_key(other)}"}
    assert client.get("/api/v1/orders/1001", headers=rival).status_code == 404
    assert client.post("/api/v1/orders/1001/shipments", json={"tracking_number": "X1"},
                       headers=rival).status_code == 404
    events = {"events": [{"at": "2026-11-03T08:00:00Z", "status": "delivered"}]}
    assert client.post(f"/api/v1/shipments/{shipment['id']}/events", json=events,
                       headers=rival).status_code == 404
    # The same number in the rival's shop is a different order; the original is untouched.
    created = client.post("/api/v1/orders", json=order_data(email="rival@example.com"), headers=rival)
    assert created.status_code == 201
    assert client.get("/api/v1/orders/1001", headers=auth).json()["email"] == "Shopper@Example.com"


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/orders" in doc["paths"]
    assert "OrderIn" in doc["components"]["schemas"]


@pytest.mark.parametrize("amount", ["1e3", "1E3", "1.5e2", "-5", ".5", "5.", "+5", "1_000", "Infinity"])
def test_amounts_the_documented_pattern_refuses_are_refused_by_name(client, auth, amount):
    data = order_data(totals={"subtotal": amount, "total": "49.00"},
                      line_items=[{"title": "Mug", "unit_price": amount}])
    response = client.post("/api/v1/orders", json=data, headers=auth)
    assert response.status_code == 422, response.text
    assert {"totals.subtotal", "line_items.0.unit_price"} <= {e["field"] for e in response.json()["errors"]}
    assert client.get("/api/v1/orders/1001", headers=auth).status_code == 404


def test_a_shipment_without_shipped_at_shipped_at_its_first_event(client, auth):
    parcel = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "estimated_delivery": "2026-11-24",
              "events": [{"at": "2026-11-22T10:00:00Z", "status": "out_for_delivery"},
                         {"at": "2026-11-21T09:00:00+01:00", "status": "in_transit", "location": "Louisville, KY"}]}
    assert client.post("/api/v1/orders", json=order_data(shipments=[parcel]), headers=auth).status_code == 201
    shipped = client.post("/api/v1/orders/1001/shipments", headers=auth, json={
        "tracking_number": "1Z999AA10123456785", "shipped_at": "2026-11-20T12:00:00Z",
        "events": [{"at": "2026-11-21T08:00:00Z", "status": "in_transit"}]})
    no_events = client.post("/api/v1/orders/1001/shipments", headers=auth, json={"tracking_number": "92612999"})
    assert shipped.status_code == no_events.status_code == 201
    order = client.get("/api/v1/orders/1001", headers=auth).json()
    by_number = {s["tracking_number"]: s["shipped_at"] for s in order["shipments"]}
    assert by_number["1Z999AA10123456784"].startswith("2026-11-21T08:00:00")
    assert by_number["1Z999AA10123456785"].startswith("2026-11-20T12:00:00")  # given: kept as given
    assert by_number["92612999"][:4] >= "2026"  # no time to go by: when it was received
    # A later update without shipped_at keeps the first one.
    client.post("/api/v1/orders", json=order_data(shipments=[{**parcel, "events": [
        {"at": "2026-11-23T10:00:00Z", "status": "delivered"}]}]), headers=auth)
    order = client.get("/api/v1/orders/1001", headers=auth).json()
    assert {s["tracking_number"]: s["shipped_at"] for s in order["shipments"]}["1Z999AA10123456784"] \
        .startswith("2026-11-21T08:00:00")


def test_an_inverted_delivery_range_is_refused_by_name(client, auth):
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    inverted = {"tracking_number": "1Z999AA10123456784", "estimated_delivery": "2026-12-10",
                "estimated_delivery_end": "2026-12-01"}
    response = client.post("/api/v1/orders/1001/shipments", json=inverted, headers=auth)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["estimated_delivery_end"]
    within_order = client.post("/api/v1/orders", json=order_data(shipments=[inverted]), headers=auth)
    assert within_order.status_code == 422
    assert "shipments.0.estimated_delivery_end" in [e["field"] for e in within_order.json()["errors"]]
    assert client.get("/api/v1/orders/1001", headers=auth).json()["shipments"] == []
    one_day = client.post("/api/v1/orders/1001/shipments", headers=auth,
                          json={**inverted, "estimated_delivery_end": "2026-12-10"})
    assert one_day.status_code == 201, one_day.text


def _totals_on_page(client, link: str) -> dict[str, str]:
    doc = html(client.get(link + "?lang=en"))
    return {text_of(row.select_one("dt")): text_of(row.select_one("dd")) for row in doc.select(".totals > div")}


def test_totals_left_out_are_worked_out_from_the_items(client, auth):
    mug = {"number": "#7101", "currency": "USD", "line_items": [{"title": "Mug", "quantity": 1, "unit_price": "24.50"}]}
    created = client.post("/api/v1/orders", json=mug, headers=auth)
    assert created.status_code == 201, created.text
    assert (created.json()["totals"]["subtotal"], created.json()["totals"]["total"]) == ("24.50", "24.50")
    page = _totals_on_page(client, created.json()["tracking_link"])
    assert (page["Subtotal"], page["Total"]) == ("$24.50", "$24.50")

    # A total given is kept; the subtotal left out is still the items'.
    given_total = client.post("/api/v1/orders", json={**mug, "totals": {"total": "34.50"}}, headers=auth).json()
    assert (given_total["totals"]["subtotal"], given_total["totals"]["total"]) == ("24.50", "34.50")

    # Line discounts, shipping, tax and order discounts; a "0" that is sent is kept as sent.
    items = [{"title": "Mug", "quantity": 2, "unit_price": "24.50", "discount": "4.00"},
             {"title": "Socks", "quantity": 1, "unit_price": "10.00"}]
    body = client.post("/api/v1/orders", headers=auth, json={
        "number": "#7102", "currency": "USD", "line_items": items,
        "totals": {"shipping": "5.00", "tax": "3.00", "discounts": "1.50"}}).json()
    assert (body["totals"]["subtotal"], body["totals"]["total"]) == ("55.00", "61.50")
    included = client.post("/api/v1/orders", headers=auth, json={
        "number": "#7103", "currency": "USD", "line_items": items, "taxes_included": True,
        "totals": {"shipping": "5.00", "tax": "3.00"}}).json()
    assert (included["totals"]["subtotal"], included["totals"]["total"]) == ("55.00", "60.00")
    zeros = client.post("/api/v1/orders", headers=auth, json={
        "number": "#7104", "currency": "USD", "line_items": items, "totals": {"subtotal": "0", "total": "0"}}).json()
    assert (zeros["totals"]["subtotal"], zeros["totals"]["total"]) == ("0.00", "0.00")


def test_presentment_totals_left_out_are_worked_out_in_the_presentment_currency(client, auth):
    body = client.post("/api/v1/orders", headers=auth, json={
        "number": "#7105", "currency": "NOK", "presentment_currency": "EUR",
        "totals": {"shipping": "50"}, "presentment_totals": {"shipping": "4.30", "total": "100.00"},
        "line_items": [{"title": "Sweater", "quantity": 2, "unit_price": "1000.00", "presentment_unit_price": "86.50",
                        "discount": "100", "presentment_discount": "8.65"}]})
    assert body.status_code == 201, body.text
    totals, presentment = body.json()["totals"], body.json()["presentment_totals"]
    assert (totals["subtotal"], totals["total"]) == ("1900.00", "1950.00")
    assert (presentment["subtotal"], presentment["total"]) == ("164.35", "100.00")
    page = _totals_on_page(client, body.json()["tracking_link"])
    assert page["Subtotal"] == "€164.35"


def test_a_total_left_out_whose_sum_cannot_be_stored_is_refused_by_name(client, auth):
    items = [{"title": "Yacht", "quantity": 1_000_000, "unit_price": "99999999999999"}]
    response = client.post("/api/v1/orders", json={"number": "#7106", "currency": "USD", "line_items": items},
                           headers=auth)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["totals.subtotal"]
