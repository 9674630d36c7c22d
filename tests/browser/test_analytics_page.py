"""The analytics page in a real browser, with every section filled, at 360 px (no horizontal scroll)
and 1280 px, in English and Arabic (right to left): zero axe violations; its charts drawn."""

from __future__ import annotations

import pytest

from portal.analytics import counting
from tests.browser.test_console_pages import axe_violations, logged_in
from tests.browser.test_theme_accessibility import describe
from tests.test_analytics_delays import seed as seed_delays
from tests.test_analytics_carriers import seed as seed_carriers

pytestmark = pytest.mark.browser


@pytest.fixture
def filled(live_server, factory, merchant):
    factory.user(merchant)
    seed_carriers(factory, merchant)
    seed_delays(factory, merchant)
    order = factory.order(merchant, number="#5001")
    portal = live_server.portal
    for _ in range(3):
        portal.usage.order_viewed(merchant, order.id, from_email=False)
    portal.usage.looked_up(merchant, found=True)
    counting.store(portal, portal.usage.take())
    return live_server


@pytest.mark.parametrize(("width", "language"), [(360, "en"), (1280, "en"), (360, "ar")])
def test_the_analytics_page_fits_and_passes_axe(new_page, filled, width, language):
    page = new_page(width=width, height=800, bypass_csp=True)
    logged_in(page, filled)
    page.goto(filled(f"/admin/analytics?lang={language}"))
    assert page.locator("svg.chart__svg").count() == 2
    assert page.locator("tr.carrier-row").count() >= 2
    assert page.locator("tr.delay-row").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The carriers' labels read at the same size on a phone as on a wide screen (not scaled with the chart).
    label_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize) * 0.9")
    heights = page.evaluate("[...document.querySelectorAll('.chart__label')].map(t => t.getBoundingClientRect().height)")
    assert heights and all(label_px * 0.9 <= height <= label_px * 1.6 for height in heights), (heights, label_px)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
