"""The console's order page: the whole order, the staff timeline (every change with who made it),
staff notes that never reach shoppers, tags, the tracking e-mail sent again, other shops' orders."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from portal.notify.outbox_worker import OutboxWorker
from tests.conftest import PASSWORD, console_login, html, now, order_data, text_of
from tests.smtp_server import run_async
from tests.test_csv_import import GOOD, HEADER
from tests.test_notifications import settings  # noqa: F401  (a fixture: sends to conftest.py's real SMTP server)
from tests.webhooks.support import body_of, fixture_json, sign

SECRET = "shpss_staff_timeline"
NOTE = "Customer called: leave the parcel with the neighbour at number 14"
UPS = "1Z999AA10123456784"


@pytest.fixture
def shop(factory):
    return factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example",
                            shopify_webhook_secret=SECRET, embed_origins="https://shop.example")


@pytest.fixture
def auth(factory, shop):
    return {"Authorization": f"Bearer {factory.api_key(shop)}"}  # the factory names the key "test"


def placed(client, auth, **overrides) -> dict:
    response = client.post("/api/v1/orders", json=order_data(**overrides), headers=auth)
    assert response.status_code in (200, 201), response.text
    return response.json()


def ship(client, auth, number="1001"):
    hour_ago = (now() - timedelta(hours=1)).isoformat()
    body = {"carrier": "UPS", "tracking_number": UPS, "events": [
        {"at": hour_ago, "status": "in_transit", "message": "Departed the sorting centre", "location": "Portland, OR"}]}
    response = client.post(f"/api/v1/orders/{number}/shipments", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def order_id_of(client, number="1001") -> int:
    page = html(client.get("/admin/"))
    return int(page.select_one(f'tr[data-number="#{number}"] a')["href"].rsplit("/", 1)[1])


def staff_page(client, order_id: int):
    response = client.get(f"/admin/orders/{order_id}")
    assert response.status_code == 200
    return html(response)


def entries(page) -> list[tuple[str, str, str]]:
    """(title, actor, details) of each staff timeline entry, newest first."""
    return [(text_of(li.select_one(".staff-entry__title")), text_of(li.select_one(".staff-entry__actor")),
             text_of(li.select_one(".staff-entry__details"))) for li in page.select(".staff-entries > li")]


def test_page_shows_items_shipments_events_and_the_full_address(client, factory, shop, auth):
    placed(client, auth)
    ship(client, auth)
    token = console_login(client, factory, shop)
    assert token
    page = staff_page(client, order_id_of(client))
    items = text_of(page.select_one(".staff-items"))
    assert "Trail mug" in items and "Blue" in items and "MUG-1" in items
    # As on the shopper's page: unit price × quantity, then the line's total.
    assert "$24.50 × 2" in items and text_of(page.select_one(".staff-items .item__price")) == "$49.00"
    shipment = page.select_one(".staff-shipments .shipment")
    assert UPS in text_of(shipment)
    event = text_of(shipment.select_one(".events"))
    assert "Departed the sorting centre" in event and "Portland, OR" in event
    # The address in full: staff read what the shopper's page masks.
    assert text_of(page.select_one(".staff-address")) == "Alex Walker 12 Pine Street Portland 97205 United States"
    assert "Shopper@Example.com" in text_of(page.select_one(".staff-facts"))
    assert "Staff only: gift wrap" in text_of(page.select_one(".staff-order-note"))
    history = text_of(page.select_one(".history"))
    assert "Payment: — → Paid" in history and "API key test" in history


def test_totals_add_up_as_on_the_shoppers_page(client, factory, shop, auth):
    """Tax included in the prices, a discount, and paid in euros: the discount is taken off, the tax
    is named as included, and what the shopper paid is shown beside the shop's currency."""
    placed(client, auth, taxes_included=True, presentment_currency="EUR",
           totals={"subtotal": "49.00", "shipping": "5.00", "tax": "8.80", "discounts": "4.00", "total": "50.00"},
           presentment_totals={"subtotal": "45.00", "shipping": "4.60", "tax": "8.10", "discounts": "3.70",
                               "total": "45.90"},
           line_items=[{"title": "Trail mug", "quantity": 2, "unit_price": "24.50", "presentment_unit_price": "22.50"}])
    console_login(client, factory, shop)
    totals = [(text_of(row.find("dt")), text_of(row.find("dd")))
              for row in staff_page(client, order_id_of(client)).select(".totals > div")]
    assert totals == [("Subtotal", "$49.00"), ("Discounts", "−$4.00"), ("Shipping", "$5.00"),
                      ("Total incl. tax", "$50.00"), ("Including tax", "$8.80"), ("Paid", "€45.90")]


def test_page_is_styled_and_its_script_is_served(client, factory, shop, auth):
    placed(client, auth)
    console_login(client, factory, shop)
    page = staff_page(client, order_id_of(client))
    sheets = [link["href"] for link in page.select("link[rel=stylesheet]")]  # portal.css, console.css
    assert sheets and all(client.get(sheet).headers["content-type"].startswith("text/css") for sheet in sheets)
    [script] = [node["src"] for node in page.select("script[src]")]
    assert "?v=" in script and "data-copy" in client.get(script).text


def test_timeline_names_who_made_each_change(client, factory, shop, auth, portal):
    placed(client, auth, payment_status="pending")
    placed(client, auth, payment_status="paid")                     # the API again: an update
    ship(client, auth)
    feed = client.post("/api/v1/events", headers=auth, json={"events": [
        {"tracking_number": UPS, "at": now().isoformat(), "status": "delivered", "message": "Left at the door"}]})
    assert feed.json()["added"] == 1
    token = console_login(client, factory, shop)
    order_id = order_id_of(client)
    assert client.post(f"/admin/orders/{order_id}/tags", data={"csrf_token": token, "tags": "vip, rush"}).status_code == 303
    assert client.post(f"/admin/orders/{order_id}/revoke", data={"csrf_token": token}).status_code == 303

    lines = entries(staff_page(client, order_id))
    assert lines[0] == ("Tracking links revoked", "console: owner@example.com", "")
    assert lines[1] == ("Order changed", "console: owner@example.com", "Tags: vip → vip, rush")
    assert lines[2][0] == "Order changed" and lines[2][1] == "carrier feed (API key test)"
    assert "Fulfilment: Not shipped yet → Shipped" in lines[2][2]
    assert lines[3] == ("Shipment 1Z999AA10123456784 (UPS) updated", "carrier feed (API key test)",
                        "Status: In transit → Delivered 1 new tracking event")
    assert lines[4] == ("Shipment 1Z999AA10123456784 (UPS) added", "API key test",
                        "Status: — → In transit 1 new tracking event")
    assert lines[5] == ("Order changed", "API key test", "Payment: Payment pending → Paid")
    assert lines[6][:2] == ("Order created", "API key test")
    assert len(lines) == 7
    # The same order sent again changes nothing: no entry.
    placed(client, auth, payment_status="paid", tags=["vip", "rush"])
    assert len(entries(staff_page(client, order_id))) == 7


def test_timeline_says_how_the_items_changed(client, factory, shop, auth):
    placed(client, auth)
    mug = {"title": "Trail mug", "variant": "Blue", "sku": "MUG-1", "unit_price": "24.50"}
    placed(client, auth, line_items=[{**mug, "quantity": 3}])  # the same count of lines, one more mug
    placed(client, auth, line_items=[{**mug, "quantity": 3, "discount": "5.00"},
                                     {"title": "Cap", "quantity": 1, "unit_price": "12.00"}])
    # Only the picture changes: nothing staff need to read.
    placed(client, auth, line_items=[{**mug, "quantity": 3, "discount": "5.00", "image_url": "https://x.example/m.png"},
                                     {"title": "Cap", "quantity": 1, "unit_price": "12.00"}])
    console_login(client, factory, shop)
    page = staff_page(client, order_id_of(client))
    assert [text_of(item.select_one(".item__discount")) if item.select_one(".item__discount") else ""
            for item in page.select(".staff-item")] == ["Discount: −$5.00", ""]
    assert [text_of(price) for price in page.select(".staff-item .item__price")] == ["$68.50", "$12.00"]
    lines = entries(page)
    assert lines[0][2] == ("Items: 3 × Trail mug (Blue) at $24.50 each → 3 × Trail mug (Blue) at $24.50 each, "
                           "$5.00 off; 1 × Cap at $12.00 each")
    assert lines[1][2] == "Items: 2 × Trail mug (Blue) at $24.50 each → 3 × Trail mug (Blue) at $24.50 each"
    assert lines[2][0] == "Order created" and len(lines) == 3


def test_timeline_names_webhooks_and_csv_imports(client, factory, shop, portal):
    payload = fixture_json("shopify/orders-create.json")
    body = body_of(payload)
    response = client.post("/webhooks/shopify/acme", content=body, headers={
        "Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign(body, SECRET), "X-Shopify-Webhook-Id": "staff-1"})
    assert response.status_code == 200, response.text
    token = console_login(client, factory, shop)
    upload = client.post("/admin/import", data={"csrf_token": token},
                         files={"file": ("orders.csv", GOOD.encode(), "text/csv")})
    assert upload.status_code == 200

    webhook_order = order_id_of(client, "2041")
    lines = entries(staff_page(client, webhook_order))
    assert ("Order created", "Shopify webhook") in [line[:2] for line in lines]
    # A tag over 40 characters from a platform is cut, not refused: the order is kept, and staff are told.
    cut = [line for line in lines if line[0] == "Tags longer than 40 characters were cut"]
    assert cut == [("Tags longer than 40 characters were cut", "Shopify webhook",
                    "a tag that is far too long to be kept whole by the portal")]
    long_tag = "a tag that is far too long to be kept whole by the portal"
    tags = [text_of(tag) for tag in staff_page(client, webhook_order).select(".tag")]
    assert long_tag not in tags and long_tag[:40] in tags
    # The platform sends the order again with the same tags: staff are not told again.
    payload["note"] = "Updated by the shop"
    body = body_of(payload)
    again = client.post("/webhooks/shopify/acme", content=body, headers={
        "Content-Type": "application/json", "X-Shopify-Topic": "orders/updated",
        "X-Shopify-Hmac-Sha256": sign(body, SECRET), "X-Shopify-Webhook-Id": "staff-2"})
    assert again.status_code == 200, again.text
    lines = entries(staff_page(client, webhook_order))
    assert [line[0] for line in lines].count("Tags longer than 40 characters were cut") == 1
    assert "Order note" in lines[0][2]

    csv_order = order_id_of(client, "1002")
    assert [line[:2] for line in entries(staff_page(client, csv_order))] == [("Order created", "CSV import")]


def test_notes_reach_staff_only(client, factory, shop, auth, app, smtp):
    placed(client, auth)
    ship(client, auth)
    token = console_login(client, factory, shop)
    order_id = order_id_of(client)
    empty = client.post(f"/admin/orders/{order_id}/notes", data={"csrf_token": token, "note": "   "})
    assert empty.status_code == 422 and "Write the note first." in text_of(html(empty).select_one(".alert--error"))
    saved = client.post(f"/admin/orders/{order_id}/notes", data={"csrf_token": token, "note": NOTE + "\nSecond line"})
    assert saved.status_code == 303
    page = staff_page(client, order_id)
    assert entries(page)[0][:2] == ("Note", "console: owner@example.com")
    assert NOTE in text_of(page.select_one(".staff-entry__note"))

    link = urlsplit(page.select_one("#tracking-link")["value"]).path
    client.cookies.clear()
    shopper = client.get(link)
    assert shopper.status_code == 200 and "Trail mug" in shopper.text
    assert "neighbour" not in shopper.text
    for panel in ("status", "shipments", "timeline", "items", "details"):
        response = client.get(link, params={"panel": panel}, headers={"HX-Request": "true"})
        assert response.status_code == 200 and "neighbour" not in response.text, panel
    embed = client.get("/embed/acme/orders/" + link.rsplit("/", 1)[1])
    assert embed.status_code == 200 and "Trail mug" in embed.text and "neighbour" not in embed.text
    api = client.get("/api/v1/orders/1001", headers=auth)
    assert api.status_code == 200 and "neighbour" not in api.text

    console_login_again(client, factory, shop)
    token = html(client.get("/admin/")).find("input", {"name": "csrf_token"})["value"]
    assert client.post(f"/admin/orders/{order_id}/tracking-email", data={"csrf_token": token}).status_code == 303
    assert run_async(OutboxWorker(app.state.portal, app).run_once())["sent"] >= 1
    assert smtp.inbox.messages and all("neighbour" not in message.as_string() for message in smtp.inbox.messages)


def console_login_again(client, factory, shop) -> None:
    token = html(client.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    response = client.post("/admin/login", data={"shop": shop.slug, "email": "owner@example.com",
                                                 "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_tags_over_40_characters_are_refused(client, factory, shop, auth):
    placed(client, auth)
    token = console_login(client, factory, shop)
    order_id = order_id_of(client)
    long_tag = "x" * 41
    refused = client.post(f"/admin/orders/{order_id}/tags", data={"csrf_token": token, "tags": f"gift, {long_tag}"})
    assert refused.status_code == 422
    page = html(refused)
    assert text_of(page.select_one(".tags-form .alert--error")) == f"The tag “{long_tag}” is longer than 40 characters."
    assert page.select_one("#tags")["value"] == f"gift, {long_tag}"  # what was typed, to fix
    assert [text_of(tag) for tag in page.select(".tag")] == ["vip"]  # nothing saved
    kept = client.post(f"/admin/orders/{order_id}/tags",
                       data={"csrf_token": token, "tags": f" gift ,{'y' * 40}, gift,, GIFT"})
    assert kept.status_code == 303
    assert [text_of(tag) for tag in staff_page(client, order_id).select(".tag")] == ["gift", "y" * 40]
    # The API refuses the same tag, naming the field, and keeps the order as it was.
    api = client.post("/api/v1/orders", json=order_data(tags=[long_tag]), headers=auth)
    assert api.status_code == 422
    assert [error["field"] for error in api.json()["errors"]] == ["tags"]
    assert client.get("/api/v1/orders/1001", headers=auth).json()["tags"] == ["gift", "y" * 40]


def test_more_than_250_tags_are_refused_not_cut_short(client, factory, shop, auth):
    placed(client, auth)
    token = console_login(client, factory, shop)
    order_id = order_id_of(client)
    many = ", ".join(f"t{n}" for n in range(251))
    refused = client.post(f"/admin/orders/{order_id}/tags", data={"csrf_token": token, "tags": many})
    assert refused.status_code == 422
    page = html(refused)
    assert text_of(page.select_one(".tags-form .alert--error")) == (
        "An order can have at most 250 tags; this list has 251.")
    assert page.select_one("#tags")["value"] == many
    assert [text_of(tag) for tag in page.select(".tag")] == ["vip"]
    api = client.post("/api/v1/orders", json=order_data(tags=[f"t{n}" for n in range(251)]), headers=auth)
    assert api.status_code == 422 and [error["field"] for error in api.json()["errors"]] == ["tags"]
    # 250, repeats not counted, are kept in full.
    kept = client.post(f"/admin/orders/{order_id}/tags",
                       data={"csrf_token": token, "tags": ", ".join(f"t{n}" for n in range(250)) + ", t0, t1"})
    assert kept.status_code == 303
    assert len(staff_page(client, order_id).select(".tag")) == 250


def test_a_csv_file_with_a_long_tag_loses_only_that_order(client, factory, shop):
    token = console_login(client, factory, shop)
    rows = (HEADER + "#3001,a@example.com,,paid,unfulfilled,USD,1,0,1," + "z" * 41 + ",Cap,,1,1.00,,,\n"
            + "#3002,b@example.com,,paid,unfulfilled,USD,1,0,1,fine,Cap,,1,1.00,,,\n")
    page = html(client.post("/admin/import", data={"csrf_token": token},
                            files={"file": ("orders.csv", rows.encode(), "text/csv")}))
    errors = [[text_of(cell) for cell in row.find_all("td")] for row in page.select(".import-errors tbody tr")]
    assert len(errors) == 1 and "2" in errors[0] and "tags" in errors[0]
    assert any("longer than 40 characters" in cell for cell in errors[0])
    numbers = [row["data-number"] for row in html(client.get("/admin/")).select(".order-row")]
    assert numbers == ["#3002"]


def test_resent_tracking_email_arrives(client, factory, shop, auth, app, smtp):
    placed(client, auth)
    ship(client, auth)
    token = console_login(client, factory, shop)
    order_id = order_id_of(client)
    run_async(OutboxWorker(app.state.portal, app).run_once())  # the "shipped" e-mail
    smtp.inbox.messages.clear()
    page = staff_page(client, order_id)
    link = page.select_one("#tracking-link")
    assert link.has_attr("readonly") and "/acme/orders/" in link["value"]
    response = client.post(f"/admin/orders/{order_id}/tracking-email", data={"csrf_token": token})
    assert response.status_code == 303
    assert "queued" in text_of(html(client.get(response.headers["location"])).select_one(".alert--info"))
    assert client.post(f"/admin/orders/{order_id}/tracking-email", data={"csrf_token": token}).status_code == 303
    assert run_async(OutboxWorker(app.state.portal, app).run_once())["sent"] == 2  # each click is an e-mail
    message = smtp.inbox.messages[0]
    assert message["To"] == "Shopper@Example.com"
    assert message["Subject"] == "Follow your order #1001"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert link["value"] in text and UPS in text
    assert entries(staff_page(client, order_id))[0][:2] == ("Tracking e-mail queued to Shopper@Example.com",
                                                           "console: owner@example.com")
    forged = client.post(f"/admin/orders/{order_id}/tracking-email", data={"csrf_token": "nope"})
    assert forged.status_code == 403


def test_no_email_to_resend_says_why(client, factory, shop, auth):
    placed(client, auth, email=None)
    token = console_login(client, factory, shop)
    order_id = order_id_of(client)
    response = client.post(f"/admin/orders/{order_id}/tracking-email", data={"csrf_token": token})
    assert response.status_code == 422
    assert text_of(html(response).select_one(".email-form .alert--error")) == "This order has no e-mail address."


def test_another_shops_user_gets_404(client, factory, shop, auth):
    placed(client, auth)
    rival = factory.merchant("rival", name="Rival Shop")
    their_order = factory.order(rival, number="#9001")
    token = console_login(client, factory, shop)
    assert client.get(f"/admin/orders/{their_order.id}").status_code == 404
    for action, data in (("notes", {"note": "mine now"}), ("tags", {"tags": "stolen"}), ("tracking-email", {}),
                         ("custom-status", {"custom_status": ""})):
        response = client.post(f"/admin/orders/{their_order.id}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == 404, action
    # Nothing reached their order.
    client.cookies.clear()
    factory.user(rival, email="rival@example.com")
    login = html(client.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    client.post("/admin/login", data={"shop": "rival", "email": "rival@example.com", "password": PASSWORD,
                                      "csrf_token": login})
    page = staff_page(client, their_order.id)
    assert entries(page)[0][1] == "the portal" and "mine now" not in page.text
    assert [text_of(tag) for tag in page.select(".tag")] == ["vip"]


def test_every_change_reads_as_staff_would_say_it(client, factory, shop, auth):
    """No column names, minor units or ISO timestamps: each changed field by its label, money as
    money (what the shopper paid in their currency), dates as dates, a cancel reason in staff's words."""
    paid_in_euros = {"presentment_currency": "EUR",
                     "presentment_totals": {"subtotal": "45.00", "shipping": "4.60", "tax": "0", "discounts": "0",
                                            "total": "49.60"},
                     "line_items": [{"title": "Trail mug", "quantity": 2, "unit_price": "24.50",
                                     "presentment_unit_price": "22.50"}]}
    placed(client, auth, customer_id="C1", **paid_in_euros)
    paid_in_euros["presentment_totals"] = {**paid_in_euros["presentment_totals"], "total": "40.00", "discounts": "9.60"}
    placed(client, auth, customer_id="C2", status="cancelled", cancel_reason="customer", taxes_included=True,
           placed_at="2026-11-03T09:00:00Z", order_status_url="https://shop.example/orders/1001", **paid_in_euros)
    console_login(client, factory, shop)
    page = staff_page(client, order_id_of(client))
    details = [text_of(item) for item in page.select(".staff-entries > li")[0].select(".staff-entry__details li")]
    assert "Customer ID: C1 → C2" in details
    assert "Prices include tax: no → yes" in details
    assert "Cancel reason: — → the customer asked" in details
    assert "Total paid: €49.60 → €40.00" in details
    assert "Order page on the platform: — → https://shop.example/orders/1001" in details
    assert any(line.startswith("Placed: 11/2/26, ") and " → 11/3/26, " in line for line in details), details
    assert any(line.startswith("Cancelled: — → ") and "T" not in line for line in details), details
    assert text_of(page.select_one(".staff-facts")).count("API") == 1  # the source, named
