"""Secrets through the CLI and the console; the console's delivery log, scoped to one merchant."""

from __future__ import annotations

import pytest

from tests.conftest import html, text_of
from tests.test_cli import run  # noqa: F401  (fixture)
from tests.test_security import login
from tests.webhooks.support import fixture_bytes, sign


def shopify(client, secret: str, webhook_id: str = "wh-1", shop: str = "nordlys"):
    body = fixture_bytes("shopify/orders-create.json")
    return client.post(f"/webhooks/shopify/{shop}", content=body, headers={
        "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Hmac-Sha256": sign(body, secret)})


@pytest.fixture
def shop(factory):
    merchant = factory.merchant("nordlys", name="Nordlys Strikk", currency="NOK")
    factory.user(merchant)
    return merchant


def test_secrets_set_from_the_command_line(run, client, shop, store):  # noqa: F811
    result = run("merchant", "set", "nordlys", "shopify_webhook_secret=new-secret",
                 "shopify_previous_webhook_secret=old-secret", "woocommerce_webhook_secret=wc-secret",
                 "bigcommerce_webhook_secret=bc-secret")
    assert result.exit_code == 0, result.output
    portal = client.app.state.portal
    portal.forget_merchant("nordlys")  # the CLI is another process as far as the cache knows
    assert shopify(client, "old-secret", "wh-1").json()["result"] == "stored"
    assert shopify(client, "new-secret", "wh-2").json()["result"] == "stored"
    assert shopify(client, "bc-secret", "wh-3").status_code == 401


def secret_states(page) -> dict[str, str]:
    return {node["data-secret"]: text_of(node) for node in html(page).select("[data-secret]")}


def test_console_sets_keeps_and_removes_secrets(client, shop):
    login(client, "nordlys")
    page = client.get("/admin/webhooks")
    assert page.status_code == 200
    assert secret_states(page)["shopify_webhook_secret"] == "Not set."
    urls = [text_of(code) for code in html(page).select(".webhook-urls code")]
    assert "http://testserver/webhooks/shopify/nordlys" in urls
    token = html(page).find("input", {"name": "csrf_token"})["value"]

    saved = client.post("/admin/webhooks", data={"csrf_token": token, "shopify_webhook_secret": "from-console"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert secret_states(page)["shopify_webhook_secret"].startswith("Set.")
    assert "from-console" not in page.text  # never echoed back
    assert shopify(client, "from-console").status_code == 200

    client.post("/admin/webhooks", data={"csrf_token": token, "shopify_webhook_secret": ""})
    assert shopify(client, "from-console", "wh-2").status_code == 200  # blank kept it
    client.post("/admin/webhooks", data={"csrf_token": token, "clear_shopify_webhook_secret": "1"})
    assert secret_states(client.get("/admin/webhooks"))["shopify_webhook_secret"] == "Not set."
    assert shopify(client, "from-console", "wh-3").status_code == 401


def test_console_refuses_bad_values_and_forged_forms(client, shop):
    login(client, "nordlys")
    token = html(client.get("/admin/webhooks")).find("input", {"name": "csrf_token"})["value"]
    too_long = client.post("/admin/webhooks", data={"csrf_token": token, "woocommerce_webhook_secret": "x" * 300})
    assert too_long.status_code == 422
    assert "at most 255 characters" in text_of(html(too_long).select_one(".alert--error"))
    assert client.post("/admin/webhooks", data={"shopify_webhook_secret": "evil"}).status_code == 403


def test_delivery_log_shows_results_and_reasons_for_this_shop_only(client, shop, factory):
    factory.merchant("other", shopify_webhook_secret="other-secret")
    from portal.store.db import session_scope
    from portal.store.models import Merchant

    with session_scope(client.app.state.portal.engine) as session:
        merchant = session.get(Merchant, shop.id)
        merchant.shopify_webhook_secret = "s3cret"
    shopify(client, "s3cret", "wh-1")
    shopify(client, "s3cret", "wh-1")
    shopify(client, "wrong", "wh-2")
    shopify(client, "other-secret", "wh-9", shop="other")

    login(client, "nordlys")
    page = html(client.get("/admin/webhooks"))
    rows = page.select("tr.delivery")
    assert [row["data-result"] for row in rows] == ["duplicate", "stored"]  # newest first; only verified ones
    cells = [text_of(td) for td in rows[0].find_all("td")]
    assert cells[1:4] == ["Shopify", "orders/create", "wh-1"]  # the platform by its name
    assert "already received" in cells[5]
    assert [text_of(td) for td in rows[1].find_all("td")][6] == "#2041"
    refused = [text_of(item) for item in page.select(".webhook-refusals [data-kind]")]
    assert refused == ["Shopify: 1 refused delivery (bad signature) in the last 24 h"]


def test_console_page_needs_a_login(client, shop):
    response = client.get("/admin/webhooks")
    assert response.status_code == 303 and response.headers["location"].endswith("/admin/login")
