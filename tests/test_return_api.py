"""Return requests through the API (the queue, each step, other shops) and Shopify's returns/* webhooks."""

from __future__ import annotations

from sqlmodel import select

from portal.store.db import session_scope
from portal.store.models import Order
from tests.conftest import html, text_of
from tests.returns_helpers import ask_return, delivered_order, line_ids, switch_on
from tests.webhooks.support import fixture_bytes, fixture_json
from tests.webhooks.test_shopify import ORDER_ID, SECRET, deliver


def auth(factory, merchant) -> dict[str, str]:
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


def requested_hat(client, factory, portal, merchant) -> tuple[dict[str, str], int]:
    """(the shop's API key header, the id of a request for the hat of a delivered order)."""
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    ask_return(client, factory, merchant, order, {line_ids(portal, order)["Wool hat"]: 1})
    key = auth(factory, merchant)
    return key, client.get("/api/v1/returns", headers=key).json()["returns"][0]["id"]


def test_the_api_lists_the_queue_and_takes_each_step(client, factory, portal, merchant):
    switch_on(portal, merchant)
    order = delivered_order(factory, merchant)
    lines = line_ids(portal, order)
    ask_return(client, factory, merchant, order, {lines["Trail mug"]: 1}, reason="fit", comment="Too small")
    key = auth(factory, merchant)

    queue = client.get("/api/v1/returns?status=requested", headers=key).json()
    assert queue["total"] == 1 and queue["pages"] == 1
    [request] = queue["returns"]
    assert request["status"] == "requested" and request["order_number"] == "#1001"
    assert request["reason"] == "fit" and request["comment"] == "Too small"
    assert request["items"] == [{"line_item_id": lines["Trail mug"], "title": "Trail mug", "variant": "Blue",
                                 "sku": "MUG-1", "quantity": 1}]
    assert client.get("/api/v1/returns?status=approved", headers=key).json()["returns"] == []
    path = f"/api/v1/returns/{request['id']}"

    assert client.post(path, json={"action": "receive"}, headers=key).status_code == 409
    approved = client.post(path, json={"action": "approve", "instructions": "Use the enclosed bag.",
                                       "label_url": "https://labels.example/1.pdf"}, headers=key)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["order_return_status"] == "in_progress"
    assert approved.json()["label_url"] == "https://labels.example/1.pdf"
    received = client.post(path, json={"action": "receive"}, headers=key).json()
    assert received["status"] == "received" and received["order_return_status"] == "returned"
    refunded = client.post(path, json={"action": "refund"}, headers=key).json()
    assert refunded["status"] == "refunded"
    again = client.post(path, json={"action": "refund"}, headers=key)
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"
    # The order's JSON says it too.
    assert client.get("/api/v1/orders/1001", headers=key).json()["return_status"] == "returned"
    page = html(client.get(factory.link(merchant, order)))
    assert page.select_one("#panel-returns .badge")["data-status"] == "refunded"


def test_bad_bodies_and_queries_are_refused_and_change_nothing(client, factory, portal, merchant):
    key, request_id = requested_hat(client, factory, portal, merchant)
    path = f"/api/v1/returns/{request_id}"
    for body in ({"action": "approve"}, {"action": "approve", "instructions": "   "},
                 {"action": "approve", "instructions": "Send it", "label_url": "http://labels.example/1"},
                 {"action": "decline"}, {"action": "ship"}, {"action": "receive", "extra": 1}):
        answer = client.post(path, json=body, headers=key)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"] == "validation_failed"
    assert client.post(path, content=b"{", headers=key).status_code == 400
    assert client.get("/api/v1/returns?status=lost", headers=key).status_code == 422
    assert client.get("/api/v1/returns?page=0", headers=key).status_code == 422
    assert client.get("/api/v1/returns?colour=red", headers=key).status_code == 422
    assert client.get("/api/v1/returns", headers=key).json()["returns"][0]["status"] == "requested"
    assert client.get("/api/v1/returns").status_code == 401


def test_one_shop_never_sees_or_moves_another_shops_requests(client, factory, portal, merchant):
    mine, request_id = requested_hat(client, factory, portal, merchant)

    other = factory.merchant("other")
    theirs = auth(factory, other)
    assert client.get("/api/v1/returns", headers=theirs).json() == {"returns": [], "page": 1, "pages": 1, "total": 0}
    moved = client.post(f"/api/v1/returns/{request_id}", json={"action": "decline", "reason": "No"}, headers=theirs)
    assert moved.status_code == 404 and moved.json()["error"] == "not_found"
    assert client.post("/api/v1/returns/99999", json={"action": "receive"}, headers=mine).status_code == 404
    assert client.get("/api/v1/returns", headers=mine).json()["returns"][0]["status"] == "requested"


def shopify_shop(factory, portal):
    shop = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK", locale="nb",
                            shopify_webhook_secret=SECRET)
    switch_on(portal, shop)
    return shop


def delivered_shopify_order(client, portal) -> Order:
    """The fixture order, every parcel delivered (today)."""
    deliver(client, "orders/create", fixture_bytes("shopify/orders-create.json"), "wh-create")
    update = fixture_json("shopify/orders-updated.json")
    update["fulfillment_status"] = "fulfilled"
    update["fulfillments"] = [{**update["fulfillments"][0], "shipment_status": "delivered"}]
    assert deliver(client, "orders/updated", update, "wh-update").status_code == 200
    with session_scope(portal.engine) as session:
        return session.exec(select(Order).where(Order.external_id == ORDER_ID)).one()


def test_shopify_return_webhooks_move_the_shoppers_request(client, factory, portal):
    shop = shopify_shop(factory, portal)
    stored = delivered_shopify_order(client, portal)
    key = auth(factory, shop)
    assert client.get("/api/v1/orders/2041", headers=key).json()["return_status"] == "none"
    lines = line_ids(portal, stored)
    assert ask_return(client, factory, shop, stored, {lines["Vinterlue"]: 1}, reason="fit").status_code == 303

    payload = fixture_json("shopify/returns-request.json")
    linked = deliver(client, "returns/request", payload, "wh-ret1").json()
    assert linked["result"] == "stored" and "changes nothing" in linked["reason"]
    [request] = client.get("/api/v1/returns", headers=key).json()["returns"]
    assert request["source"] == "shopify" and request["external_id"] == "4423456789012345671"
    assert request["status"] == "requested"

    payload["status"] = "open"
    assert "approved" in deliver(client, "returns/approve", payload, "wh-ret2").json()["reason"]
    payload["status"] = "closed"
    deliver(client, "returns/close", payload, "wh-ret3")
    [request] = client.get("/api/v1/returns", headers=key).json()["returns"]
    assert request["status"] == "received" and request["order_return_status"] == "returned"
    # A repeated step is acknowledged and changes nothing.
    repeat = deliver(client, "returns/close", {**payload, "updated_at": "later"}, "wh-ret4").json()
    assert repeat["result"] == "stored" and "changes nothing" in repeat["reason"]
    page = html(client.get(factory.link(shop, stored)))  # in the order's language, German
    assert page.select_one("#panel-returns .badge")["data-status"] == "received"
    assert "Rücksendung genehmigt" in [text_of(li.find("span")) for li in page.select("#panel-timeline li")]


def test_a_shopify_decline_carries_its_note_to_the_shopper(client, factory, portal):
    shop = shopify_shop(factory, portal)
    stored = delivered_shopify_order(client, portal)
    ask_return(client, factory, shop, stored, {line_ids(portal, stored)["Fjellgenser"]: 1})
    payload = {**fixture_json("shopify/returns-request.json"), "status": "declined",
               "decline": {"reason": "RETURN_PERIOD_ENDED", "note": "Bought on sale: final."}}
    assert "declined" in deliver(client, "returns/decline", payload, "wh-dec").json()["reason"]
    request = html(client.get(factory.link(shop, stored))).select_one("#panel-returns .return-request")
    assert "Bought on sale: final." in text_of(request.select_one(".return-request__declined"))


def test_a_shopify_return_without_a_portal_request_moves_the_order_alone(client, factory, portal):
    shop = shopify_shop(factory, portal)
    delivered_shopify_order(client, portal)
    answer = deliver(client, "returns/request", fixture_json("shopify/returns-request.json"), "wh-ret1").json()
    assert answer["reason"] == "return requested"
    key = auth(factory, shop)
    assert client.get("/api/v1/orders/2041", headers=key).json()["return_status"] == "requested"
    assert client.get("/api/v1/returns", headers=key).json()["total"] == 0
