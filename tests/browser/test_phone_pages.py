"""Every shopper page, in every built-in theme, on a 360 px phone: nothing wider than the screen.
And the language picker: it changes the language as soon as one is picked when JavaScript runs,
and keeps its button when it does not."""

from __future__ import annotations

import pytest

from portal.notify import notifications
from portal.store import queries
from portal.store.db import session_scope
from tests.browser.themed_shops import THEMES

pytestmark = pytest.mark.browser

PHONE = 360
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
TRACKING_NUMBER = "1Z999AA10123456784"  # a parcel of the themed shops' order


@pytest.fixture
def settings(settings):
    settings.lookup_rate_limit = "3/minute"  # so the rate-limited page can be reached too
    return settings


def unsubscribe_path(live_server, slug: str, settings) -> str:
    with session_scope(live_server.portal.engine) as session:
        merchant = queries.merchant_by_slug(session, slug)
        order = queries.order_by_number_key(session, merchant.id, "2001")
        token = notifications.unsubscribe_signer(settings).token(order.public_id, notifications.UNSUBSCRIBE_NONCE)
    return f"/{slug}/unsubscribe/{token}"


def fits(page, label: str) -> None:
    assert page.evaluate(OVERFLOW) <= 0, f"{label} overflows horizontally at {PHONE}px"


@pytest.mark.parametrize("theme", THEMES)
def test_no_shopper_page_scrolls_sideways_on_a_phone(new_page, themed_shop, live_server, settings, theme):
    shop = themed_shop(theme)
    slug = f"{theme}-shop"
    token = shop.order.rsplit("/", 1)[1]
    with session_scope(live_server.portal.engine) as session:  # the embed answers for allowed storefronts only
        queries.merchant_by_slug(session, slug).embed_origins = "https://shop.example"
    page = new_page(width=PHONE, height=740)
    visits = {
        "order": shop.order, "order in Finnish": shop.order + "?lang=fi", "order in German": shop.order + "?lang=de",
        "lookup": shop.lookup, "invalid link": live_server(f"/{slug}/orders/not-a-token"),
        "unknown page": live_server(f"/{slug}/no-such-page"), "unknown shop": live_server("/no-such-shop/track"),
        "home": live_server("/"), "embedded lookup": live_server(f"/embed/{slug}/track"),
        "embedded order": live_server(f"/embed/{slug}/orders/{token}"),
        "embed unavailable": live_server("/embed/no-such-shop/track"),
        "unsubscribe": live_server(unsubscribe_path(live_server, slug, settings)),
    }
    for label, url in visits.items():
        page.goto(url)
        fits(page, f"{theme} {label}")
    # Pages that answer a form: a miss, a tracking number, the unsubscribe confirmation, a rate limit.
    page.goto(shop.lookup)
    page.fill("#order_number", "9999")
    page.fill("#contact", "nobody@example.com")
    with page.expect_navigation():
        page.click(".lookup-form button[type=submit]")
    assert page.locator("#lookup-error").is_visible()
    fits(page, f"{theme} lookup miss")
    page.fill("#tracking_number", TRACKING_NUMBER)
    with page.expect_navigation():
        page.click(".lookup-form button[type=submit]")
    assert TRACKING_NUMBER in page.content()
    fits(page, f"{theme} tracking result")
    for _ in range(2):  # past the limit of 3 lookups a minute
        page.goto(shop.lookup)
        page.fill("#tracking_number", "NOT-A-PARCEL")
        with page.expect_navigation():
            page.click(".lookup-form button[type=submit]")
    assert page.locator(".page").first.is_visible()
    assert "429" in str(page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus"))
    fits(page, f"{theme} rate limited")
    page.goto(visits["unsubscribe"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    fits(page, f"{theme} unsubscribed")


def test_the_language_picker_submits_on_change_with_javascript(new_page, themed_shop):
    shop = themed_shop("classic")
    page = new_page(width=PHONE, height=740)
    page.goto(shop.lookup)
    assert not page.locator(".lang-switch button").is_visible()  # picking is enough
    with page.expect_navigation():
        page.select_option("#lang-select", "de")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#lang-select").input_value() == "de"


def test_without_javascript_the_language_picker_keeps_its_button(browser, themed_shop):
    shop = themed_shop("classic")
    context = browser.new_context(java_script_enabled=False, viewport={"width": PHONE, "height": 740})
    try:
        page = context.new_page()
        page.goto(shop.lookup)
        page.select_option("#lang-select", "fr")
        assert page.locator("html").get_attribute("lang") == "en"  # nothing happens by itself
        button = page.locator(".lang-switch button")
        assert button.is_visible()
        with page.expect_navigation():
            button.click()
        assert page.locator("html").get_attribute("lang") == "fr"
    finally:
        context.close()


LONG_WORD = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"  # a real town
LONG_URL = "https://tracking.example.com/status/" + "a1b2c3d4e5" * 10


def unbroken_order() -> dict:
    """Stored values with no place to break a line: one of them must not widen the page."""
    return {
        "number": "#A" + "1" * 30, "shipping_address": {"city": LONG_WORD, "country_code": "GB"},
        "line_items": [{"title": "Sweater" + "X" * 60, "variant": LONG_WORD, "quantity": 1, "unit_price": "9.00"}],
        "shipments": [{"carrier": "DeutschePostDHLGroupParcelServiceInternational", "tracking_number": "Z" * 60,
                       "status": "in_transit",
                       "events": [{"at": "2026-11-03T09:00:00Z", "status": "in_transit", "message": f"Details: {LONG_URL}",
                                   "location": LONG_WORD}]}],
    }


@pytest.mark.parametrize("theme", THEMES)
def test_one_long_stored_value_does_not_widen_the_page(new_page, live_server, factory, theme):
    merchant = factory.merchant(f"{theme}-long", name=f"{theme.title()} Outfitters", theme=theme)
    order = factory.order(merchant, **unbroken_order())
    page = new_page(width=PHONE, height=740)
    for lang in ("en", "ar"):
        page.goto(live_server(factory.link(merchant, order)) + f"?lang={lang}")
        fits(page, f"{theme} order with long values ({lang})")
