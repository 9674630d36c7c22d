"""Buy again: cart links for orders that came from each platform's payload, from the API with the
shop's storefront platform, the off switch, items without ids, and the storefront settings."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.merchants import MerchantError, apply_settings
from portal.store.db import session_scope
from portal.store.models import Merchant
from tests.conftest import html, order_data, text_of
from tests.webhooks import test_bigcommerce as bigcommerce
from tests.webhooks import test_shopify as shopify
from tests.webhooks import test_woocommerce as woocommerce
from tests.webhooks.support import fixture_json

STOREFRONT = "https://shop.example"


def configure(portal, merchant, **values: str) -> None:
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, merchant.id), values)


def buy_again_links(client, factory, merchant, order) -> tuple[dict[str, str], str | None]:
    """{item title: its buy-again link} and the "Buy everything again" link, from the shopper's page."""
    page = html(client.get(factory.link(merchant, order) + "?lang=en"))
    links = {text_of(item.select_one(".item__title")): item.select_one("a.item__buy-again")["href"]
             for item in page.select("#panel-items .item") if item.select_one("a.item__buy-again")}
    everything = page.select_one("a.buy-again__all")
    return links, everything["href"] if everything else None


def test_shopify_items_link_to_the_cart_by_variant(client, factory, portal, store):
    shop = factory.merchant("nordlys", currency="NOK", shopify_webhook_secret=shopify.SECRET)
    configure(portal, shop, storefront_url=STOREFRONT + "/")
    payload = fixture_json("shopify/orders-create.json")
    assert shopify.deliver(client, "orders/create", payload, "wh-1").status_code == 200
    order = store.order(shop, shopify.ORDER_ID)
    # The hat has no variant id: no link for it, and nothing to order "everything" with.
    assert buy_again_links(client, factory, shop, order) == (
        {"Fjellgenser": f"{STOREFRONT}/cart/4901234567890123457:1"}, None)

    payload["line_items"][1]["variant_id"] = 4901234567890123999
    payload["updated_at"] = "2026-11-20T12:00:00+01:00"
    assert shopify.deliver(client, "orders/updated", payload, "wh-2").status_code == 200
    links, everything = buy_again_links(client, factory, shop, order)
    assert links["Vinterlue"] == f"{STOREFRONT}/cart/4901234567890123999:2"
    assert everything == f"{STOREFRONT}/cart/4901234567890123457:1,4901234567890123999:2"


def test_woocommerce_items_link_by_variation_else_product(client, factory, portal, store):
    shop = factory.merchant("candles", currency="GBP", woocommerce_webhook_secret=woocommerce.SECRET)
    configure(portal, shop, storefront_url="https://shop.example.co.uk/store")
    assert woocommerce.deliver(client, fixture_json("woocommerce/order-updated.json")).status_code == 200
    links, everything = buy_again_links(client, factory, shop, store.order(shop, "1893"))
    assert links == {
        "Beeswax Candle": "https://shop.example.co.uk/store/?add-to-cart=305&quantity=3",  # the variation
        "Matches (gift box)": "https://shop.example.co.uk/store/?add-to-cart=310&quantity=1",  # no variations
    }
    assert everything is None  # one product per cart link


def test_bigcommerce_items_link_by_product(client, factory, portal, store):
    shop = factory.merchant("kaffeehaus", currency="USD", bigcommerce_webhook_secret=bigcommerce.SECRET)
    configure(portal, shop, storefront_url=STOREFRONT)
    assert bigcommerce.deliver(client, fixture_json("bigcommerce/order-full.json"), "bc-1").status_code == 200
    links, everything = buy_again_links(client, factory, shop, store.order(shop, "4817"))
    assert links == {"Stoneware Mug": f"{STOREFRONT}/cart.php?action=add&product_id=77&qty=2",
                     "Linen Tea Towel": f"{STOREFRONT}/cart.php?action=add&product_id=78&qty=1"}
    assert everything is None


def test_off_switch_and_no_storefront(client, factory, portal, store):
    shop = factory.merchant("kaffeehaus", currency="USD", bigcommerce_webhook_secret=bigcommerce.SECRET)
    bigcommerce.deliver(client, fixture_json("bigcommerce/order-full.json"), "bc-1")
    order = store.order(shop, "4817")
    assert buy_again_links(client, factory, shop, order) == ({}, None)  # no storefront set
    configure(portal, shop, storefront_url=STOREFRONT, buy_again="off")
    assert buy_again_links(client, factory, shop, order) == ({}, None)
    configure(portal, shop, buy_again="on")
    assert len(buy_again_links(client, factory, shop, order)[0]) == 2


def test_api_orders_take_the_shops_storefront_platform(client, factory, portal):
    shop = factory.merchant("acme")
    other = factory.merchant("other")
    items = [{"title": "Mug", "quantity": 2, "unit_price": "5.00", "product_id": "77", "variant_id": "201"},
             {"title": "Card", "quantity": 1, "unit_price": "1.00", "variant_id": "gid://shopify/ProductVariant/9"},
             {"title": "Sticker", "quantity": 1, "unit_price": "1.00"}]
    order = factory.order(shop, line_items=items)
    other_order = factory.order(other, line_items=items)
    configure(portal, shop, storefront_url=STOREFRONT)
    assert buy_again_links(client, factory, shop, order) == ({}, None)  # which platform's cart is unknown
    configure(portal, shop, storefront_platform="shopify")
    # Only whole-number ids go into a cart link; an item without one gets none.
    assert buy_again_links(client, factory, shop, order) == ({"Mug": f"{STOREFRONT}/cart/201:2"}, None)
    # Another shop's settings never reach this shop's pages.
    assert buy_again_links(client, factory, other, other_order) == ({}, None)


@pytest.mark.parametrize("value", ["http://shop.example", "javascript:alert(1)", "shop.example",
                                   "https://shop.example/?ref=1", "https://user:pw@shop.example", "https://"])
def test_storefront_url_must_be_a_plain_https_address(factory, portal, value):
    shop = factory.merchant("acme")
    with pytest.raises(MerchantError, match="storefront_url"):
        configure(portal, shop, storefront_url=value)


def test_settings_through_the_command_line(settings, monkeypatch, factory, portal):
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(settings.instance_dir))
    factory.merchant("acme")
    bad = CliRunner().invoke(main, ["merchant", "set", "acme", "buy_again=maybe", "storefront_platform=etsy"])
    assert bad.exit_code != 0 and "buy_again" in bad.output and "storefront_platform" in bad.output
    good = CliRunner().invoke(main, ["merchant", "set", "acme", f"storefront_url={STOREFRONT}",
                                     "storefront_platform=WooCommerce", "buy_again=off"])
    assert good.exit_code == 0, good.output
    with session_scope(portal.engine) as session:
        stored = session.get(Merchant, 1).settings
    assert (stored["storefront_url"], stored["storefront_platform"], stored["buy_again"]) == (
        STOREFRONT, "woocommerce", False)


def test_api_order_data_keeps_ids(client, factory):
    shop = factory.merchant("acme")
    key = factory.api_key(shop)
    data = order_data(line_items=[{"title": "Mug", "unit_price": "5.00", "product_id": "77", "variant_id": "201"}])
    client.post("/api/v1/orders", json=data, headers={"Authorization": f"Bearer {key}"})
    item = client.get("/api/v1/orders/1001", headers={"Authorization": f"Bearer {key}"}).json()["line_items"][0]
    assert (item["product_id"], item["variant_id"]) == ("77", "201")
