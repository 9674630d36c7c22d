"""The headline in Chromium: every demo case in the shops of all three themes, on a phone, first on
the page; and it changes without a reload when a tracking event arrives."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_SETTINGS, SCENARIOS, seed
from portal.store import queries
from portal.store.db import session_scope
from tests.browser.test_theme_accessibility import AXE, describe
from tests.sse_client import post_json

pytestmark = pytest.mark.browser

# Demo shop per theme: nordlys (classic), hygge (minimal), acme (bold).
SHOPS = {"nordlys": "classic", "hygge": "minimal", "acme": "bold"}
# (demo scenario, what the headline says)
CASES = [
    ("paid, preparing", r"^Estimated arrival \w{3}, \w{3} \d+ – \w{3}, \w{3} \d+$"),
    ("in transit", r"^Arriving (\w{3}, \w{3} \d+ – \w{3}, \w{3} \d+|\w{3}, \w+ \d+)$"),
    ("out for delivery", r"^Out for delivery today$"),
    ("delivered", r"^Delivered \w{3}, \w+ \d+$"),
    ("two shipments, partly shipped", r"^1 of 2 parcels delivered$"),
    ("failed attempt", r"^Delivery problem: delivery attempt failed$"),
    ("delivery exception", r"^Delivery problem: the carrier reported a problem$"),
    ("cancelled, out of stock", r"^Cancelled: items were out of stock$"),
    ("return in progress", r"^Return in progress$"),
]


def demo_links(live_server, settings, portal) -> dict[tuple[str, str], str]:
    for _ in seed(portal.engine, settings):
        pass
    links = {}
    with session_scope(portal.engine) as session:
        for slug in SHOPS:
            merchant = queries.merchant_by_slug(session, slug)
            for name, _ in CASES:
                index = next(i for i, s in enumerate(SCENARIOS) if s[0] == name)
                order = queries.order_by_number_key(session, merchant.id, str(1000 + index + 1))
                links[slug, name] = live_server(portal.tracking_path(merchant, order, live_server.app))
    return links


def test_every_demo_case_opens_with_its_headline_in_every_theme(live_server, settings, portal, new_page,
                                                                 screenshot_dir):
    links = demo_links(live_server, settings, portal)
    page = new_page(width=360, height=640, bypass_csp=True)  # bypass_csp: axe is injected inline
    for slug, theme in SHOPS.items():
        for name, expected in CASES:
            if name == "paid, preparing" and slug not in DEMO_SETTINGS:
                expected = r"^Preparing your order$"  # a shop without usual times gives no estimate
            page.goto(links[slug, name] + "?lang=en")
            assert f"theme-{theme}" in page.locator("body").get_attribute("class")
            headline = page.locator("#order-headline")
            text = " ".join(headline.inner_text().split())
            assert re.match(expected, text), f"{slug} {name}: {text!r}"
            # Seen without scrolling, on a phone, before any parcel or item.
            box = headline.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 640, f"{slug} {name}: {box}"
            assert box["y"] < page.locator("#panel-shipments").bounding_box()["y"]
            # A problem, a cancellation and a return offer the next step; good news does not.
            wants_steps = name.startswith(("failed", "delivery exception", "cancelled", "return"))
            assert page.locator(".next-steps a").count() >= (1 if wants_steps else 0)
            assert (page.locator(".next-steps").count() > 0) == wants_steps, f"{slug} {name}"
            if name in ("failed attempt", "cancelled, out of stock"):
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
                assert result["violations"] == [], f"{slug} {name}:\n" + describe(result["violations"])
            if name == "out for delivery":
                (screenshot_dir / "headline").mkdir(exist_ok=True)
                page.screenshot(path=screenshot_dir / "headline" / f"{theme}-phone.png")


def test_the_headline_changes_when_a_tracking_event_arrives(live_server, factory, merchant, page):
    order = factory.order(merchant, fulfillment_status="fulfilled")
    key = factory.api_key(merchant)
    shipment = post_json(live_server("/api/v1/orders/1001/shipments"), {"tracking_number": "1Z999AA10123456784"}, key)
    page.goto(live_server(factory.link(merchant, order)))
    assert page.locator("#order-headline").inner_text() == "On its way"
    page.evaluate("window.stillTheSamePage = true")
    post_json(live_server(f"/api/v1/shipments/{shipment['id']}/events"),
              {"events": [{"at": datetime.now(timezone.utc).isoformat(), "status": "out_for_delivery"}]}, key)
    # A locator waits by polling from Playwright's side: the page's CSP forbids the eval a string needs.
    expect(page.locator("#order-headline")).to_have_text("Out for delivery today", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True
