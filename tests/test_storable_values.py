"""Values the store cannot hold: NUL in any text, line breaks in single-line fields, money past
64 bits, ids past the id columns. Each is refused by name (or, for a row id, not found), the same
way on SQLite and PostgreSQL; stored text never breaks an e-mail."""

from __future__ import annotations

import copy
import json

import pytest
from starlette.testclient import TestClient

from portal import money
from portal.ingest import csv_import
from portal.store import queries
from portal.store.db import session_scope
from portal.store.models import Merchant, Order
from tests import pg_server
from tests.conftest import Factory, console_login, html, order_data, text_of
from tests.test_postgres import pg_app, pg_base  # noqa: F401  (fixtures)
from tests.webhooks.support import fixture_json, sign

NUL = "x\x00y"
CRLF = "a\r\nb"
HUGE_AMOUNTS = ("1e20", "92233720368547758.08", "1e400")
# The API takes digits and a point only (an exponent is refused for its shape, test_api).
HUGE_API_AMOUNTS = ("1" + "0" * 20, "92233720368547758.08", "1" + "0" * 400)

needs_postgres = pytest.mark.skipif(not pg_server.available(), reason="PostgreSQL is not installed")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, needs_postgres])])
def store_app(request):
    """The app on SQLite, then on PostgreSQL."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


@pytest.fixture
def shop(store_app):
    factory = Factory(store_app.state.portal)
    factory.app_router = store_app
    merchant = factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example",
                                shopify_webhook_secret="shopify-secret")
    with TestClient(store_app, follow_redirects=False) as client:
        client.headers["Authorization"] = f"Bearer {factory.api_key(merchant)}"
        yield client, factory, merchant


def _with(data: dict, path: tuple, value) -> dict:
    changed = copy.deepcopy(data)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def _errors(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


ORDER = order_data(shipments=[{"tracking_number": "1Z999AA10123456784", "carrier": "UPS", "external_id": "F-1",
                               "events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit",
                                           "message": "Departed", "location": "Louisville, KY"}]}],
                   external_id="E-1", customer_id="C-1")
# Every text field of an order, by where it sits in the body and the field the error names.
TEXT_FIELDS = {
    ("number",): "number", ("external_id",): "external_id", ("email",): "email", ("phone",): "phone",
    ("postal_code",): "postal_code", ("note",): "note", ("customer_id",): "customer_id",
    ("guest_id",): "guest_id", ("tags", 0): "tags.0",
    ("line_items", 0, "title"): "line_items.0.title", ("line_items", 0, "variant"): "line_items.0.variant",
    ("line_items", 0, "sku"): "line_items.0.sku",
    ("shipping_address", "name"): "shipping_address.name", ("shipping_address", "city"): "shipping_address.city",
    ("shipping_address", "postal_code"): "shipping_address.postal_code",
    ("shipments", 0, "tracking_number"): "shipments.0.tracking_number",
    ("shipments", 0, "carrier"): "shipments.0.carrier", ("shipments", 0, "external_id"): "shipments.0.external_id",
    ("shipments", 0, "events", 0, "message"): "shipments.0.events.0.message",
    ("shipments", 0, "events", 0, "location"): "shipments.0.events.0.location",
}
MULTILINE = {"note", "shipments.0.events.0.message"}


def test_nul_in_any_text_field_of_an_order_is_refused_by_name(shop):
    client, _, _ = shop
    for path, field in TEXT_FIELDS.items():
        response = client.post("/api/v1/orders", json=_with(ORDER, path, NUL))
        assert response.status_code == 422, (field, response.text)
        assert "NUL" in _errors(response)[field]
    assert client.get("/api/v1/orders/1001").status_code == 404  # nothing was stored


def test_line_breaks_are_refused_in_single_line_fields_and_kept_in_free_text(app, factory, merchant):
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {factory.api_key(merchant)}"
        for path, field in TEXT_FIELDS.items():
            if field in MULTILINE or field == "email":  # an e-mail address never had spaces
                continue
            for line_break in ("\r\n", "\n", "\u2028"):
                response = client.post("/api/v1/orders", json=_with(ORDER, path, f"a{line_break}b"))
                assert response.status_code == 422, (field, response.text)
                assert _errors(response)[field].endswith("must be a single line (no line breaks)")
        data = _with(_with(ORDER, ("note",), "Gift wrap\r\nLeave at the door"),
                     ("shipments", 0, "events", 0, "message"), "Arrived\nat the hub")
        stored = client.post("/api/v1/orders", json=data)
    assert stored.status_code == 201, stored.text
    assert stored.json()["note"] == "Gift wrap\r\nLeave at the door"
    assert stored.json()["shipments"][0]["events"][0]["message"] == "Arrived\nat the hub"


def test_order_number_in_the_path_with_nul_or_a_line_break_is_refused_by_name(shop):
    client, factory, merchant = shop
    factory.order(merchant)
    for number in ("%00", "10%0A01", "1001%00"):
        for response in (client.get(f"/api/v1/orders/{number}"),
                         client.post(f"/api/v1/orders/{number}/shipments", json={"tracking_number": "1Z1"})):
            assert response.status_code == 422, response.text
            assert set(_errors(response)) == {"number"}
    assert client.get("/api/v1/orders/1001").status_code == 200


def test_shipment_and_bulk_events_with_nul_are_refused_by_name(shop):
    client, factory, merchant = shop
    factory.order(merchant)
    shipment = client.post("/api/v1/orders/1001/shipments", json={"tracking_number": NUL})
    assert shipment.status_code == 422 and set(_errors(shipment)) == {"tracking_number"}
    created = client.post("/api/v1/orders/1001/shipments", json={"tracking_number": "1Z999AA10123456784"}).json()
    events = client.post(f"/api/v1/shipments/{created['id']}/events",
                         json={"events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit", "substatus": NUL}]})
    assert events.status_code == 422 and set(_errors(events)) == {"events.0.substatus"}
    bulk = client.post("/api/v1/events", json={"events": [
        {"tracking_number": "1Z999AA10123456784", "at": "2026-11-03T08:00:00Z", "status": "in_transit",
         "message": NUL},
        {"tracking_number": "1Z999AA10123456784", "at": "2026-11-03T09:00:00Z", "status": "out_for_delivery"},
    ]})
    assert bulk.status_code == 200, bulk.text
    first, second = bulk.json()["results"]
    assert first["result"] == "invalid" and first["errors"][0]["field"] == "events.0.message"
    assert second["result"] == "added"


def test_shopper_lookup_with_nul_is_an_ordinary_miss(shop):
    client, factory, merchant = shop
    factory.order(merchant)
    token = html(client.get("/acme/track")).find("input", {"name": "csrf_token"})["value"]
    for fields in ({"order_number": NUL, "contact": "shopper@example.com"},
                   {"order_number": "1001", "contact": "shopper@example.com\x00"},
                   {"tracking_number": NUL}):
        response = client.post("/acme/track", data={"csrf_token": token, **fields})
        assert response.status_code == 404
        assert "could not find" in text_of(html(response).find(id="lookup-error"))


def test_a_shop_slug_with_nul_or_a_line_break_is_not_found(shop):
    client, _, _ = shop
    for path in ("/%00/track", "/embed/%00/track", "/acme%0A/orders/x", "/theme-assets/images/%00/logo"):
        assert client.get(path).status_code == 404, path
    assert client.post("/webhooks/shopify/%00", content=b"{}").status_code == 404


def test_console_refuses_nul_by_field_name(shop):
    client, factory, merchant = shop
    del client.headers["Authorization"]
    csrf = console_login(client, factory, merchant)
    search = client.get("/admin/", params={"q": NUL})
    assert search.status_code == 422 and "'q'" in text_of(html(search).find("main"))
    secret = client.post("/admin/webhooks", data={"csrf_token": csrf, "shopify_webhook_secret": NUL})
    assert secret.status_code == 422 and "'shopify_webhook_secret'" in text_of(html(secret).find("main"))
    # In the console's own page, with its menu and a way back into it (not the shop's order lookup).
    page = html(secret)
    assert page.select_one(".console-nav") is not None and "Nothing was saved" in text_of(page.find("main"))
    assert page.select_one("main a.button")["href"] == "/admin/"
    login = client.post("/admin/login", data={"csrf_token": csrf, "shop": "acme", "email": NUL, "password": "x"})
    assert login.status_code == 422
    with session_scope(factory.portal.engine) as session:
        assert session.get(Merchant, merchant.id).shopify_webhook_secret == "shopify-secret"


def test_console_forms_refuse_line_breaks_outside_text_areas(client, factory, merchant):
    csrf = console_login(client, factory, merchant)
    label = client.post("/admin/statuses", data={"csrf_token": csrf, "key": "packed", "label_en": "Packed\r\nBcc: x",
                                                  "color": "#335577"})
    assert label.status_code == 422 and "'label_en'" in text_of(html(label).find("main"))
    # A text area keeps its lines: one allowed origin a line.
    origins = client.post("/admin/embed", data={"csrf_token": csrf,
                                                "embed_origins": "https://a.example\r\nhttps://b.example"})
    assert origins.status_code == 303
    with session_scope(factory.portal.engine) as session:
        assert session.get(Merchant, merchant.id).embed_origins == "https://a.example,https://b.example"


def test_row_ids_no_column_can_hold_are_not_found(client, factory, merchant):
    client.headers["Authorization"] = f"Bearer {factory.api_key(merchant)}"
    for shipment_id in ("99999999999999999999999", "9223372036854775808", "2147483648"):
        response = client.post(f"/api/v1/shipments/{shipment_id}/events",
                               json={"events": [{"at": "2026-11-03T08:00:00Z", "status": "in_transit"}]})
        assert response.status_code == 404, response.text
    del client.headers["Authorization"]
    csrf = console_login(client, factory, merchant)
    huge = "99999999999999999999999"
    assert client.get(f"/admin/orders/{huge}").status_code == 404
    assert client.get(f"/admin/statuses/{huge}").status_code == 404
    for path in (f"/admin/orders/{huge}/revoke", f"/admin/orders/{huge}/custom-status", f"/admin/statuses/{huge}",
                 f"/admin/statuses/{huge}/delete"):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 404, path
    assert client.get("/admin/", params={"page": huge}).status_code == 200


@pytest.mark.parametrize("amount", HUGE_API_AMOUNTS)
def test_money_past_64_bits_is_refused_by_name(client, factory, merchant, amount):
    client.headers["Authorization"] = f"Bearer {factory.api_key(merchant)}"
    total = client.post("/api/v1/orders", json=order_data(totals={"total": amount}))
    assert total.status_code == 422, total.text
    assert "too large" in _errors(total)["totals.total"]
    price = client.post("/api/v1/orders", json=order_data(
        presentment_currency="EUR", presentment_totals={"total": "1"},
        line_items=[{"title": "Mug", "unit_price": "1", "presentment_unit_price": amount}]))
    assert price.status_code == 422 and "too large" in _errors(price)["line_items.0.presentment_unit_price"]


def test_the_largest_amount_the_store_holds_round_trips(store_app):
    factory = Factory(store_app.state.portal)
    merchant = factory.merchant("acme")
    with TestClient(store_app) as client:
        client.headers["Authorization"] = f"Bearer {factory.api_key(merchant)}"
        # Past 2**31 cents: PostgreSQL's INTEGER would not hold it.
        largest = "92233720368547758.07"
        created = client.post("/api/v1/orders", json=order_data(
            totals={"subtotal": "25000000.00", "total": largest},
            line_items=[{"title": "Yacht", "unit_price": "25000000.00"}]))
        assert created.status_code == 201, created.text
        body = client.get("/api/v1/orders/1001").json()
    assert (body["totals"]["subtotal"], body["totals"]["total"]) == ("25000000.00", largest)
    assert body["line_items"][0]["unit_price"] == "25000000.00"
    assert money.to_minor(largest, "USD") == money.MAX_MINOR


def _shopify(client, payload: dict, delivery_id: str):
    body = json.dumps(payload).encode()
    return client.post("/webhooks/shopify/acme", content=body, headers={
        "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": delivery_id,
        "X-Shopify-Hmac-Sha256": sign(body, "shopify-secret")})


def test_platform_text_with_nul_and_line_breaks_is_cleaned_not_refused(shop):
    """A refused delivery is retried, then the platform switches the webhook off: the order is
    kept, its text without NUL and single-line fields on one line."""
    client, factory, merchant = shop
    payload = fixture_json("shopify/orders-create.json")
    payload.update(name="#10\x0001", note="Gift\x00 wrap\nplease", phone="+47\r\n912 34 567", tags="vip\x00, gift")
    payload["line_items"][0]["title"] = "Trail\x00 mug\r\n(blue)"
    response = _shopify(client, payload, "w-nul")
    assert response.status_code == 200 and response.json()["result"] == "stored", response.text
    with session_scope(factory.portal.engine) as session:
        order = queries.order_by_external_id(session, merchant.id, "shopify", str(payload["id"]))
        items = queries.line_item_rows(session, order.id)
        assert (order.number, order.phone, order.tags) == ("#1001", "+47 912 34 567", ["vip", "gift"])
        assert order.note == "Gift wrap please"
        assert items[0].title == "Trail mug (blue)"


@pytest.mark.parametrize("amount", HUGE_AMOUNTS)
def test_platform_money_past_64_bits_refuses_the_delivery_by_name(client, factory, amount):
    shop = factory.merchant("acme", shopify_webhook_secret="shopify-secret")
    payload = fixture_json("shopify/orders-create.json")
    payload["total_price_set"]["shop_money"]["amount"] = amount
    response = _shopify(client, payload, f"w-{amount}")
    assert response.status_code == 422, response.text
    # Shopify's field, or ours when only the exact conversion to cents finds it too large.
    message = response.json()["message"]
    assert message.startswith(("total_price: ", "totals.total: ")) and "too large" in message
    with session_scope(factory.portal.engine) as session:
        assert queries.order_by_external_id(session, shop.id, "shopify", str(payload["id"])) is None
        assert queries.webhook_deliveries(session, shop.id)[0].result == "rejected"


def test_csv_rows_with_nul_line_breaks_or_huge_amounts_are_refused_by_column(store_app):
    factory = Factory(store_app.state.portal)
    merchant = factory.merchant("acme")
    header = "number,email,currency,total,item_title,item_unit_price,tracking_number\n"
    # The NUL sits past the first 4 KiB, which alone are looked at to tell text from binary files.
    padding = "".join(f"#{n},p{n}@example.com,USD,1.00,Cap,1.00,\n" for n in range(100, 200))
    rows = ('#1,a@example.com,USD,1.00,Mug\x00,1.00,\n'
            '"#2\r\nBcc: x",b@example.com,USD,1.00,Mug,1.00,\n'
            '#3,c@example.com,USD,1e20,Mug,1.00,\n'
            '#4,d@example.com,USD,1.00,Mug,1.00,1Z\x00\n'
            '#5,e@example.com,USD,1.00,Mug,1.00,1Z999AA10123456784\n')
    raw = (header + padding + rows).encode()
    assert b"\x00" not in raw[:4096]
    report = csv_import.run(store_app.state.portal.engine, merchant, raw)
    refused = {(error.order, error.column) for error in report.errors}
    assert refused == {("#1", "item_title"), ("#2\r\nBcc: x", "number"), ("#3", "total"), ("#4", "tracking_number")}, \
        [str(error) for error in report.errors]
    assert "#5" in report.created and len(report.created) == 101


def test_emails_for_text_stored_before_the_rules_are_still_sent(settings):
    """An order number and a shop name with line breaks (stored before they were refused) would
    make every e-mail about the order fail: the headers are made one line."""
    from portal.app import create_app
    from tests.smtp_server import SmtpServer
    from tests.test_notifications import run_worker, ship

    smtp = SmtpServer().start()
    try:
        settings.smtp_host, settings.smtp_port, settings.smtp_starttls = "127.0.0.1", smtp.port, False
        settings.smtp_from, settings.smtp_timeout = "orders@portal.example", 2
        app = create_app(settings)
        factory = Factory(app.state.portal)
        factory.app_router = app
        merchant = factory.merchant("acme", support_email="help@acme.example")
        order = factory.order(merchant)
        with session_scope(factory.portal.engine) as session:
            stored = session.get(Order, order.id)
            stored.number = "#1001\r\nBcc: everyone@example.com"
            shop = session.get(Merchant, merchant.id)
            shop.name = "Acme\nOutdoor"
            session.add_all([stored, shop])
        with TestClient(app) as client:
            ship(client, {"Authorization": f"Bearer {factory.api_key(merchant)}"}, number="1001")
            assert run_worker(app) == {"sent": 1, "skipped": 0, "failed": 0}
    finally:
        smtp.stop()
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Your order #1001 Bcc: everyone@example.com is on its way"
    assert message["Bcc"] is None and message["To"] == "Shopper@Example.com"
    assert message["From"].addresses[0].display_name == "Acme Outdoor"


def test_the_openapi_document_states_the_text_rules(client):
    import re

    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    number = re.compile(schemas["OrderIn"]["properties"]["number"]["pattern"])
    note = re.compile(schemas["OrderIn"]["properties"]["note"]["anyOf"][0]["pattern"])
    assert number.match("#1001") and not number.match("#10\r\n01") and not number.match("#10\x0001")
    assert note.match("Gift wrap\nplease") and not note.match("Gift\x00")


def test_woocommerce_and_bigcommerce_text_is_cleaned_and_huge_amounts_named(client, factory):
    from tests.webhooks.test_bigcommerce import SECRET as BC_SECRET
    from tests.webhooks.test_bigcommerce import deliver as bigcommerce
    from tests.webhooks.test_woocommerce import SECRET as WC_SECRET
    from tests.webhooks.test_woocommerce import deliver as woocommerce

    candles = factory.merchant("candles", currency="GBP", woocommerce_webhook_secret=WC_SECRET)
    kaffeehaus = factory.merchant("kaffeehaus", currency="USD", bigcommerce_webhook_secret=BC_SECRET)
    order = fixture_json("woocommerce/order-updated.json")
    order["customer_note"] = "Please leave\x00 with\r\nneighbour"
    order["line_items"][0]["name"] = "Beeswax\x00 Candle"
    assert woocommerce(client, order, "wc-nul").json()["result"] == "stored"
    order.update(id=1894, number="1894", total="1e400")
    refused = woocommerce(client, order, "wc-huge")
    assert refused.status_code == 422 and refused.json()["message"].startswith("total: ")

    full = fixture_json("bigcommerce/order-full.json")
    full["staff_notes"] = "Second mug\x00 back-ordered"
    full["products"][0]["name"] = "Mug\r\n(large)"
    assert bigcommerce(client, full, "bc-nul").json()["result"] == "stored"
    full.update(id=4818, total_inc_tax="1e400")
    refused = bigcommerce(client, full, "bc-huge")
    assert refused.status_code == 422 and refused.json()["message"].startswith("total_inc_tax: ")

    with session_scope(factory.portal.engine) as session:
        wc = queries.order_by_external_id(session, candles.id, "woocommerce", "1893")
        bc = queries.order_by_external_id(session, kaffeehaus.id, "bigcommerce", "4817")
        assert wc.note == "Please leave with neighbour"
        assert queries.line_item_rows(session, wc.id)[0].title == "Beeswax Candle"
        assert bc.note == "Second mug back-ordered"
        assert queries.line_item_rows(session, bc.id)[0].title == "Mug (large)"
        assert queries.order_by_external_id(session, candles.id, "woocommerce", "1894") is None
        assert queries.order_by_external_id(session, kaffeehaus.id, "bigcommerce", "4818") is None
