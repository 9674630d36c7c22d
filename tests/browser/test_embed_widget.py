"""The storefront widget in Chromium: a storefront on another loopback origin embeds the portal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

pytestmark = pytest.mark.browser

INITIAL_HEIGHT = 480  # what embed.js gives the iframe before the framed page reports its size

SHIPMENTS = [
    {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "in_transit",
     "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
     "events": [{"at": "2026-11-03T08:00:00Z", "status": "info_received", "message": "Label created"},
                {"at": "2026-11-04T09:30:00Z", "status": "in_transit", "message": "Departed facility",
                 "location": "Louisville, KY"}]},
]
LINE_ITEMS = [
    {"title": "Trail mug", "variant": "Blue", "quantity": 2, "unit_price": "24.50"},
    {"title": "Camp stove", "quantity": 1, "unit_price": "89.00"},
    {"title": "Head torch", "quantity": 1, "unit_price": "19.00"},
]


def storefront_html(portal_url: str, shop: str, extra: str = "") -> str:
    return f"""<!doctype html>
<html lang="en-US"><head><meta charset="utf-8"><title>Acme Outdoor store</title>
<style>
body {{ margin: 0; font: 16px/1.5 Georgia, serif; background: #efe9df; color: #2b2620; }}
header {{ background: #2f4a3a; color: #fff; padding: .75rem 1.5rem; display: flex; gap: 2rem; align-items: baseline; }}
header h1 {{ margin: 0; font-size: 1.4rem; }} header a {{ color: #fff; }}
main {{ max-width: 56rem; margin: 0 auto; padding: 1rem 1.5rem; }}
</style></head>
<body>
<header><h1>Acme Outdoor</h1><nav><a href="/">Shop</a> <a href="/track">Track your order</a></nav></header>
<main>
<p>Where is my parcel? Look it up below.</p>
<script src="{portal_url}/static/embed.js" async></script>
<div data-order-tracking data-shop="{shop}">
  <noscript><a href="{portal_url}/{shop}/track">Track your order</a></noscript>
</div>
{extra}
</main>
</body></html>"""


@pytest.fixture
def storefront(live_server, static_site):
    """The merchant's storefront on http://127.0.0.2:<port>, with the widget on /track."""
    return static_site({"/track": storefront_html(live_server.url, "acme"),
                        "/missing": storefront_html(live_server.url, "no-such-shop")})


@pytest.fixture
def shop(factory, storefront):
    merchant = factory.merchant("acme", name="Acme Outdoor", embed_origins=storefront,
                                support_url="https://help.acme.example")
    order = factory.order(merchant, shipments=SHIPMENTS, fulfillment_status="fulfilled", line_items=LINE_ITEMS,
                          totals={"subtotal": "157.00", "shipping": "5.00", "tax": "0", "discounts": "0",
                                  "total": "162.00"})
    return merchant, order


def widget(page: Page):
    return page.locator("[data-order-tracking] iframe")


def framed(page: Page) -> Frame:
    frame = widget(page).element_handle().content_frame()
    assert frame is not None
    return frame


def iframe_height(page: Page) -> float:
    return widget(page).evaluate("el => el.getBoundingClientRect().height")


def wait_until_fitted(page: Page) -> float:
    """Wait until the iframe is exactly as tall as the framed page's content; return that height."""
    frame = framed(page)
    page.wait_for_function(
        "([el, h]) => Math.abs(el.getBoundingClientRect().height - h) <= 1",
        arg=[widget(page).element_handle(), frame.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)")],
    )
    content = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    height = iframe_height(page)
    assert abs(height - content) <= 1
    # Nothing inside the frame scrolls: the storefront page shows all of it.
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    return height


def test_shopper_looks_up_an_order_inside_the_storefront(page: Page, storefront, shop, live_server):
    page.goto(storefront + "/track")
    expect(widget(page)).to_have_attribute("title", "Track your order · Acme Outdoor")
    src = widget(page).get_attribute("src")
    assert src.startswith(live_server.url + "/embed/acme/track?")
    assert "lang=en-US" in src and "origin=http%3A%2F%2F127.0.0.2" in src

    frame = framed(page)
    expect(frame.locator("h1")).to_have_text("Track your order")
    assert frame.locator(".site-header").count() == 0
    form_height = wait_until_fitted(page)
    assert form_height < INITIAL_HEIGHT + 200

    frame.locator("#order_number").fill("1001")
    frame.locator("#contact").fill("shopper@example.com")
    frame.locator("button[type=submit]").click()

    frame = framed(page)
    expect(frame.locator("h1")).to_have_text("Order #1001")
    assert frame.url.startswith(live_server.url + "/embed/acme/orders/")
    assert page.url == storefront + "/track"  # the storefront itself never navigated
    expect(frame.locator("#panel-items")).to_contain_text("Camp stove")
    expect(frame.locator("#panel-shipments")).to_contain_text("1Z999AA10123456784")

    order_height = wait_until_fitted(page)
    assert order_height > form_height + 300  # the iframe grew with the order view
    expect(widget(page)).to_have_attribute("title", "Order #1001 · Acme Outdoor")
    # Focus followed the shopper into the new page: its heading, not the top of the storefront.
    assert frame.evaluate("document.activeElement && document.activeElement.tagName") == "H1"

    carrier = frame.locator(".tracking-number a")
    assert carrier.get_attribute("target") == "_blank"

    if os.environ.get("PORTAL_EMBED_SCREENSHOT"):
        # `PORTAL_EMBED_SCREENSHOT=docs/embed-storefront.png pytest tests/browser/test_embed_widget.py`
        page.set_viewport_size({"width": 960, "height": 1000})
        wait_until_fitted(page)
        page.screenshot(path=str(Path(os.environ["PORTAL_EMBED_SCREENSHOT"])), full_page=False)


def test_wrong_details_show_the_error_inside_the_frame_with_focus_on_it(page: Page, storefront, shop):
    page.goto(storefront + "/track")
    frame = framed(page)
    frame.locator("#order_number").fill("1001")
    frame.locator("#contact").fill("someone-else@example.com")
    frame.locator("button[type=submit]").click()
    frame = framed(page)
    alert = frame.locator("[role=alert]")
    expect(alert).to_contain_text("We could not find an order")
    assert frame.evaluate("document.activeElement.getAttribute('role')") == "alert"
    wait_until_fitted(page)


def test_order_token_in_the_storefront_url_opens_the_order(page: Page, storefront, shop, factory):
    merchant, order = shop
    token = factory.link(merchant, order).rsplit("/", 1)[1]
    page.goto(f"{storefront}/track?order={token}")
    frame = framed(page)
    expect(frame.locator("h1")).to_have_text("Order #1001")
    wait_until_fitted(page)
    # Opening a page is not a shopper action inside the frame: the storefront keeps the focus.
    assert frame.evaluate("document.hasFocus()") is False


def test_storefront_not_on_the_list_is_refused_framing(page: Page, live_server, static_site, shop):
    other = static_site({"/track": storefront_html(live_server.url, "acme")}, host="127.0.0.3")
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(other + "/track")
    expect(widget(page)).to_have_count(1)
    page.wait_for_timeout(1000)
    frame = framed(page)
    assert frame.locator("#order_number").count() == 0
    assert not frame.url.startswith(live_server.url)
    assert refusals, "Chromium did not report the frame-ancestors refusal"
    assert iframe_height(page) == INITIAL_HEIGHT  # no size message from a page that never loaded


def test_forged_size_messages_are_ignored(page: Page, live_server, static_site, storefront, shop):
    # A third-party frame on the same storefront page (an ad, say) tries to resize our widget.
    intruder = static_site({"/ad": "<!doctype html><p>Advertisement</p>"}, host="127.0.0.3")
    page.goto(storefront + "/track")
    frame = framed(page)
    expect(frame.locator("h1")).to_have_text("Track your order")
    fitted = wait_until_fitted(page)

    # From the storefront's own window: right shape, wrong origin.
    page.evaluate("window.postMessage({type: 'portal-embed:size', height: 3000, title: 'Forged'}, '*')")
    # From another origin's frame, addressed to the storefront page.
    page.evaluate("""(src) => new Promise(done => {
        const f = document.createElement('iframe');
        f.src = src;
        f.onload = () => done();
        document.body.appendChild(f);
    })""", intruder + "/ad")
    intruder_frame = page.frame(url=intruder + "/ad")
    assert intruder_frame is not None
    intruder_frame.evaluate("parent.postMessage({type: 'portal-embed:size', height: 5, title: 'Forged'}, '*')")
    page.wait_for_timeout(500)

    assert iframe_height(page) == fitted
    assert widget(page).get_attribute("title") == "Track your order · Acme Outdoor"


def test_unknown_shop_shows_a_small_unavailable_message(page: Page, storefront):
    page.goto(storefront + "/missing")
    frame = framed(page)
    expect(frame.locator("main")).to_have_text("Order tracking is unavailable here right now.")
    height = wait_until_fitted(page)
    assert height < 150


def test_without_javascript_the_storefront_links_to_the_full_page(browser, storefront, shop, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(storefront + "/track")
        link = page.get_by_role("link", name="Track your order").last
        assert link.get_attribute("href") == live_server.url + "/acme/track"
        assert page.locator("iframe").count() == 0
    finally:
        context.close()
