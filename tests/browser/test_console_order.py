"""The console's order page in a real browser: at 360 px nothing scrolls sideways, axe finds
nothing, and with JavaScript the copy button appears beside the readonly link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.browser.test_console_pages import axe_violations, logged_in
from tests.browser.test_theme_accessibility import describe
from tests.conftest import now, order_data

pytestmark = pytest.mark.browser


def test_order_page_fits_360_px_and_passes_axe(new_page, live_server, factory, merchant):
    factory.user(merchant)
    client = TestClient(live_server.app)
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}"}
    long_tag = "a-rather-long-tag-of-exactly-forty-chars"
    assert client.post("/api/v1/orders", headers=auth, json=order_data(tags=["vip", long_tag], shipments=[{
        "carrier": "UPS", "tracking_number": "1Z999AA10123456784", "events": [
            {"at": (now() - timedelta(hours=2)).isoformat(), "status": "in_transit",
             "message": "Departed the regional sorting facility after a long delay", "location": "Louisville, KY"}]}]),
    ).status_code == 201
    page = new_page(width=360, height=740, bypass_csp=True)
    logged_in(page, live_server)
    page.goto(live_server("/admin/"))
    with page.expect_navigation():
        page.click("text=#1001")
    assert page.locator("h1").inner_text() == "Order #1001"
    assert page.locator(".copy-button").is_visible()
    assert "/acme/orders/" in page.locator("#tracking-link").input_value()
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth).map(e => e.tagName + '.' + e.className)""")
    assert wide == [] and page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = axe_violations(page)
    assert violations == [], describe(violations)
