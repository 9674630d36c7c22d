"""A return request on a phone-sized screen (360 px): a shopper walks it (the offer on the order page,
the form refusing too many items, the request sent and shown), and staff approve it in the console.
No horizontal scroll, axe: zero violations on each page."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.browser.test_console_pages import axe_violations, logged_in
from tests.browser.test_theme_accessibility import describe
from tests.returns_helpers import ask_return, delivered_order, line_ids, switch_on

pytestmark = pytest.mark.browser
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def check_page(page) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)")  # what sticks out
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_a_shopper_requests_a_return_on_a_phone(new_page, live_server, factory, merchant):
    switch_on(live_server.portal, merchant)
    order = delivered_order(factory, merchant)
    mug = line_ids(live_server.portal, order)["Trail mug"]
    page = new_page(width=360, height=740, bypass_csp=True)

    page.goto(live_server(factory.link(merchant, order)))
    offer = page.get_by_role("link", name="Request a return")
    assert offer.is_visible()
    check_page(page)

    offer.click()
    page.wait_for_url("**/returns")
    assert page.get_by_role("heading", level=1).inner_text() == "Return items of order #1001"
    page.get_by_label("Trail mug (Blue)").fill("3")
    page.get_by_label("Reason for the return").select_option("damaged")
    page.get_by_label("Comment (optional)").fill("The handle came off.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send return request").click()
    assert "at most 2 of this item" in page.locator(f"#quantity_{mug}-error").inner_text()
    assert page.get_by_label("Comment (optional)").input_value() == "The handle came off."
    check_page(page)

    page.get_by_label("Trail mug (Blue)").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Send return request").click()
    request = page.locator("#panel-returns .return-request")
    assert request.locator(".badge").inner_text() == "Requested"
    assert "1 × Trail mug (Blue)" in request.inner_text()
    assert page.locator("#panel-status .badge[data-status=requested]").is_visible()
    check_page(page)


def test_staff_work_the_request_in_the_console_on_a_phone(new_page, live_server, factory, merchant):
    switch_on(live_server.portal, merchant)
    order = delivered_order(factory, merchant)
    client = TestClient(live_server.app, follow_redirects=False)
    mug = line_ids(live_server.portal, order)["Trail mug"]
    assert ask_return(client, factory, merchant, order, {mug: 2}, comment="Both handles came off.").status_code == 303
    factory.user(merchant)
    # The console redirects to PORTAL_BASE_URL after a form: here, this server.
    live_server.portal.settings.base_url = live_server.url
    page = new_page(width=360, height=740, bypass_csp=True)
    logged_in(page, live_server)

    page.goto(live_server("/admin/returns"))
    check_page(page)
    page.get_by_role("link", name="Return request #1").click()
    page.wait_for_url("**/admin/returns/*")
    assert "Both handles came off." in page.locator(".return-comment").inner_text()
    check_page(page)
    page.get_by_label("Instructions for the shopper").fill("Pack both mugs and drop them at any UPS point.")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and e-mail the shopper").click()
    assert page.locator(".order-facts .badge").inner_text() == "Approved"
    assert page.get_by_role("button", name="Mark received").is_visible()
    check_page(page)

    page.goto(live_server("/admin/returns/settings"))
    check_page(page)
