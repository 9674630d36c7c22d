"""The items panel (unit price × quantity, line discount, line total, product link, "incl. tax") and the
partly hidden shipping address, from the API and the CSV import to the shopper's page."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portal import money
from portal.cli import main
from tests.conftest import html, order_data, text_of


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


ITEMS = [
    {"title": "Trail mug", "quantity": 2, "unit_price": "24.50", "discount": "4.00",
     "product_url": "https://shop.example/products/trail-mug", "product_id": "632910392", "variant_id": "39072856"},
    {"title": "Socks", "quantity": 1, "unit_price": "10.00"},
]


def page_of(client, factory, merchant, number: str, lang: str = "en"):
    read = client.get(f"/api/v1/orders/{number}", headers={"Authorization": f"Bearer {factory.api_key(merchant)}"})
    return html(client.get(read.json()["tracking_link"] + f"?lang={lang}"))


def test_api_keeps_item_details_and_the_page_shows_them(client, factory, merchant, auth):
    data = order_data(line_items=ITEMS, taxes_included=True,
                      totals={"subtotal": "55.00", "shipping": "5.00", "tax": "12.00", "discounts": "4.00",
                              "total": "56.00"})
    response = client.post("/api/v1/orders", json=data, headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["taxes_included"] is True
    mug = body["line_items"][0]
    assert (mug["discount"], mug["product_url"], mug["product_id"], mug["variant_id"]) == (
        "4.00", "https://shop.example/products/trail-mug", "632910392", "39072856")
    assert body["line_items"][1]["product_url"] is None and body["line_items"][1]["discount"] == "0.00"

    page = page_of(client, factory, merchant, "1001")
    mug_row, socks_row = page.select("#panel-items .item")
    link = mug_row.select_one("a.item__title")
    assert link["href"] == "https://shop.example/products/trail-mug" and text_of(link) == "Trail mug"
    assert text_of(mug_row.select_one(".item__unit")) == "$24.50 × 2"
    assert text_of(mug_row.select_one(".item__discount")) == "Discount: −$4.00"
    assert text_of(mug_row.select_one(".item__price")) == "$45.00"
    assert socks_row.select_one("a.item__title") is None and socks_row.select_one(".item__discount") is None
    assert text_of(socks_row.select_one(".item__price")) == "$10.00"
    # Tax inside the total: said so, and not listed as something added to it.
    assert text_of(page.select_one(".totals__total dt")) == "Total incl. tax"
    assert text_of(page.select_one(".totals__included-tax")) == "Including tax $12.00"
    assert "Tax" not in [text_of(dt) for dt in page.select(".totals dt")]
    assert text_of(page.select_one(".totals__discount dd")) == "−$4.00"


def test_tax_added_on_top_is_a_line_of_its_own(client, factory, merchant, auth):
    client.post("/api/v1/orders", json=order_data(totals={"subtotal": "49.00", "tax": "3.92", "total": "52.92"}),
                headers=auth)
    page = page_of(client, factory, merchant, "1001")
    assert text_of(page.select_one(".totals__total dt")) == "Total"
    assert page.select_one(".totals__included-tax") is None
    rows = {text_of(div.dt): text_of(div.dd) for div in page.select(".totals > div")}
    assert rows["Tax"] == "$3.92"


def test_item_details_are_checked(client, auth):
    bad = order_data(line_items=[{"title": "Mug", "unit_price": "1.00", "discount": "0.001",
                                  "product_url": "javascript:alert(1)", "product_id": "x" * 65}])
    response = client.post("/api/v1/orders", json=bad, headers=auth)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"line_items.0.product_url", "line_items.0.product_id"} <= fields
    too_much = order_data(line_items=[{"title": "Mug", "quantity": 2, "unit_price": "1.00", "discount": "2.01"}])
    response = client.post("/api/v1/orders", json=too_much, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "line_items.0.discount",
                                          "message": "is more than unit_price × quantity"}]
    foreign = order_data(currency="NOK", presentment_currency="EUR", totals={"total": "100"},
                         presentment_totals={"total": "8.60"},
                         line_items=[{"title": "Mug", "unit_price": "100", "presentment_unit_price": "8.60",
                                      "discount": "10"}])
    response = client.post("/api/v1/orders", json=foreign, headers=auth)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["line_items.0.presentment_discount"]


def test_csv_columns_carry_item_details(tmp_path, client, factory, merchant, settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(settings.instance_dir))
    path = tmp_path / "orders.csv"
    path.write_text(
        "number,email,currency,subtotal,tax,total,taxes_included,item_title,item_quantity,item_unit_price,"
        "item_discount,item_product_url,item_product_id,item_variant_id\n"
        "#3001,ana@example.com,USD,40.00,8.00,36.00,true,Lamp,2,20.00,4.00,https://shop.example/lamp,77,201\n")
    result = CliRunner().invoke(main, ["import", "acme", str(path)])
    assert result.exit_code == 0, result.output
    page = page_of(client, factory, merchant, "3001")
    assert page.select_one("a.item__title")["href"] == "https://shop.example/lamp"
    assert text_of(page.select_one(".item__price")) == "$36.00"
    assert "incl. tax" in text_of(page.select_one(".totals__total"))
    body = client.get("/api/v1/orders/3001", headers={"Authorization": f"Bearer {factory.api_key(merchant)}"}).json()
    assert (body["line_items"][0]["product_id"], body["line_items"][0]["variant_id"]) == ("77", "201")


@pytest.mark.parametrize(("lang", "country"), [("en", "Norway"), ("nb", "Norge"), ("de", "Norwegen")])
def test_address_shows_area_not_street(client, factory, merchant, auth, lang, country):
    address = {"name": "Alex Walker", "address1": "Storgata 12", "address2": "3rd floor", "city": "Bergen",
               "postal_code": "5003", "country_code": "NO"}
    client.post("/api/v1/orders", json=order_data(shipping_address=address), headers=auth)
    page = page_of(client, factory, merchant, "1001", lang)
    shown = text_of(page.select_one(".address"))
    assert "Storgata" not in shown and "3rd floor" not in shown and "Alex" not in shown and "5003" not in shown
    assert text_of(page.select_one(".address__name")) == "A. W."
    assert text_of(page.select_one(".address__area")) == "50•• Bergen"
    assert text_of(page.select_one(".address__country")) == country


def test_partial_postal_codes():
    from portal.orders.order_view import partial_postal_code

    assert [partial_postal_code(code) for code in ("97205", "SW1A 1AA", "8000", "1", "")] == [
        "972••", "SW1A •••", "80••", "1", ""]


def test_money_in_unit_line_is_the_shoppers(client, factory, merchant, auth):
    data = order_data(currency="USD", presentment_currency="EUR", totals={"total": "20.00"},
                      presentment_totals={"total": "18.40"},
                      line_items=[{"title": "Mug", "quantity": 2, "unit_price": "10.00",
                                   "presentment_unit_price": "9.20"}])
    client.post("/api/v1/orders", json=data, headers=auth)
    page = page_of(client, factory, merchant, "1001", "de")
    assert text_of(page.select_one(".item__unit")) == " ".join(money.format_money(920, "EUR", "de").split()) + " × 2"
