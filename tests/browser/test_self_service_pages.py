"""The shopper's self-service pages in Chromium at phone width, in every built-in theme: asking
for the order history, the history list, and the delivered order page with its feedback form. No
horizontal scroll, zero axe violations, and the forms work without JavaScript."""

from __future__ import annotations

import pytest

from portal.orders import history
from portal.store.db import session_scope
from portal.store.models import Order
from tests.browser.test_theme_accessibility import AXE, describe
from tests.browser.test_theme_layout import OVERFLOW
from tests.browser.themed_shops import THEMES

pytestmark = pytest.mark.browser

DELIVERED = {"number": "#3001", "fulfillment_status": "fulfilled", "email": "shopper@example.com",
             "line_items": [{"title": "Merino wool hiking sweater with an unusually long product name",
                             "quantity": 1, "unit_price": "129.00"}],
             "shipments": [{"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered",
                            "events": [{"at": "2026-11-04T15:30:00Z", "status": "delivered"}]}]}


def checked(page, where: str) -> None:
    assert page.evaluate(OVERFLOW) <= 0, f"{where} scrolls sideways at 360 px"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert result["violations"] == [], f"{where}:\n" + describe(result["violations"])


@pytest.mark.parametrize("theme", THEMES)
def test_self_service_pages_fit_a_phone_and_pass_axe(new_page, live_server, factory, theme):
    merchant = factory.merchant(f"{theme}-shop", name=f"{theme.title()} Outfitters", theme=theme)
    order = factory.order(merchant, **DELIVERED)
    factory.order(merchant, number="#3002-WITH-A-LONG-REFERENCE-NUMBER", email="shopper@example.com")
    with session_scope(live_server.portal.engine) as session:
        token = history.token_for(live_server.portal.settings, session.get(Order, order.id))
    # JavaScript off: everything here is plain HTML forms and links.
    page = new_page(width=360, height=800, bypass_csp=True, java_script_enabled=False)

    page.goto(live_server(f"/{merchant.slug}/orders"))
    page.fill("#email", "nobody@example.com")
    page.click(".history-form button[type=submit]")
    assert "a link is on its way" in page.locator("main").inner_text()

    page.goto(live_server(f"/{merchant.slug}/history/{token}"))
    assert page.locator(".history__order").count() == 2
    page.goto(live_server(factory.link(merchant, order)))
    page.check("input[name=rating][value='4']")
    page.fill("#feedback-comment", "Arrived early")
    page.click(".feedback-form button[type=submit]")
    assert "You can change it until" in page.locator("#feedback").inner_text()

    # axe needs script: the same pages again with it on.
    page = new_page(width=360, height=800, bypass_csp=True)
    for path in (f"/{merchant.slug}/orders", f"/{merchant.slug}/history/{token}", factory.link(merchant, order)):
        page.goto(live_server(path))
        checked(page, f"{theme} {path}")
