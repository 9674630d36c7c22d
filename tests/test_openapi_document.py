"""The served OpenAPI document is as strict as the API: what it calls valid is taken, what the API
refuses it calls invalid (finding 7 of the hardening issue)."""

from __future__ import annotations

import re

import pytest
from babel.numbers import list_currencies

from portal.statuses import (
    CANCEL_REASONS,
    FULFILLMENT_STATUSES,
    ORDER_STATUSES,
    PAYMENT_STATUSES,
    RETURN_STATUSES,
    SHIPMENT_STATUSES,
    shipment_status_aliases,
)
from tests.conftest import order_data


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


@pytest.fixture
def schemas(client):
    return client.get("/api/v1/openapi.json").json()["components"]["schemas"]


def field(schemas, model, name):
    """A property's schema, without the `null` branch of an optional field."""
    prop = schemas[model]["properties"][name]
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    assert len(branches) == 1, prop
    return branches[0]


def test_every_status_field_lists_its_values(schemas):
    assert field(schemas, "OrderIn", "status")["enum"] == list(ORDER_STATUSES)
    assert field(schemas, "OrderIn", "payment_status")["enum"] == list(PAYMENT_STATUSES)
    assert field(schemas, "OrderIn", "fulfillment_status")["enum"] == list(FULFILLMENT_STATUSES)
    assert field(schemas, "OrderIn", "return_status")["enum"] == list(RETURN_STATUSES)
    assert field(schemas, "OrderIn", "cancel_reason")["enum"] == list(CANCEL_REASONS)
    for model, name in (("EventIn", "status"), ("ShipmentIn", "status"), ("TrackingUpdateIn", "status")):
        values = field(schemas, model, name)["enum"]
        assert values[:len(SHIPMENT_STATUSES)] == list(SHIPMENT_STATUSES)
        assert set(values) == set(SHIPMENT_STATUSES) | set(shipment_status_aliases())


def test_currencies_are_the_iso_4217_codes_of_money(schemas):
    for name in ("currency", "presentment_currency"):
        codes = set(field(schemas, "OrderIn", name)["enum"])
        assert {"USD", "EUR", "JPY", "KWD", "XOF", "HRK"} <= codes <= set(list_currencies())
        assert not codes & {"XXX", "XTS", "XAU", "XDR", "CHE"}
    assert "" not in field(schemas, "OrderIn", "currency")["enum"]


def test_amounts_have_a_pattern_the_store_can_hold(schemas):
    pattern = re.compile(field(schemas, "Totals", "total")["pattern"])
    for good in ("0", "19.90", "1500", "99999999999999.9999"):
        assert pattern.search(good), good
    for bad in ("", "-1", "1e20", "1e400", "92233720368547758.08", "19,90", " 1", "NaN"):
        assert not pattern.search(bad), bad
    assert field(schemas, "LineItemIn", "unit_price")["pattern"] == pattern.pattern


def test_every_documented_currency_and_shipment_status_is_accepted(client, auth, schemas):
    for code in field(schemas, "OrderIn", "currency")["enum"]:
        response = client.post("/api/v1/orders", json=order_data(number=f"C-{code}", currency=code), headers=auth)
        # The fixture's amounts have two decimals: a currency with none refuses only them.
        assert response.status_code == 201 or all("decimals" in e["message"] for e in response.json()["errors"])
    events = [{"at": f"2026-11-21T08:{i // 60:02}:{i % 60:02}Z", "status": status}
              for i, status in enumerate(field(schemas, "EventIn", "status")["enum"])]
    response = client.post("/api/v1/orders/C-USD/shipments", json={"tracking_number": "1Z999AA10123456784",
                                                                     "events": events}, headers=auth)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("change, bad_field", [
    ({"currency": ""}, "currency"),
    ({"currency": "XYZ"}, "currency"),
    ({"status": ""}, "status"),
    ({"totals": {"total": "1e20"}}, "totals.total"),
    ({"totals": {"total": 19.9}}, "totals.total"),
    ({"line_items": [{"title": "Mug", "quantity": "2"}]}, "line_items.0.quantity"),
    ({"line_items": [{"title": "Mug", "quantity": True}]}, "line_items.0.quantity"),
    ({"placed_at": 0}, "placed_at"),
    ({"shipments": [{"events": [{"at": "2026-11-21T08:00:00Z", "status": ""}]}]}, "shipments.0.events.0.status"),
])
def test_what_the_document_calls_invalid_is_refused(client, auth, change, bad_field):
    response = client.post("/api/v1/orders", json=order_data(**change), headers=auth)
    assert response.status_code == 422, response.text
    assert bad_field in [error["field"] for error in response.json()["errors"]]


def test_a_whole_number_written_with_a_point_is_a_quantity(client, auth):
    # JSON Schema's integer includes 2.0, so the API takes it.
    response = client.post("/api/v1/orders", json=order_data(line_items=[{"title": "Mug", "quantity": 2.0}]),
                           headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["line_items"][0]["quantity"] == 2


def test_malformed_json_is_still_a_400(client, auth):
    response = client.post("/api/v1/orders", content=b'{"number": ', headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"


def test_times_carry_the_accepted_range(schemas):
    moment = re.compile(field(schemas, "OrderIn", "placed_at")["pattern"])
    assert field(schemas, "EventIn", "at")["pattern"] == moment.pattern
    for good in ("2026-11-21T08:00:00Z", "1971-01-01T00:00:00+14:00", "2099-12-31T23:59:59.5-12:00"):
        assert moment.search(good), good
    for bad in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "2026-11-21"):
        assert not moment.search(bad), bad
    day = re.compile(field(schemas, "ShipmentIn", "estimated_delivery")["pattern"])
    assert day.search("2100-12-31") and day.search("1970-01-01") and not day.search("2101-01-01")
