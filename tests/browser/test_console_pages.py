"""The console pages this branch changed, in a real browser at 360 px: the log-in page refusing a
locked account, and the webhooks page with counts of refused deliveries. axe: zero violations."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal.ingest import webhook_refusals
from tests.browser.test_theme_accessibility import AXE, describe
from tests.sse_client import run_async
from tests.conftest import PASSWORD
from tests.test_security import login

pytestmark = pytest.mark.browser


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")["violations"]


def fits(page, selector: str) -> bool:
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().right <= innerWidth")


def submit(page, live_server, password: str = PASSWORD) -> None:
    page.goto(live_server("/admin/login"))
    page.fill("#shop", "acme")
    page.fill("#email", "owner@example.com")
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def logged_in(page, live_server) -> None:
    """Give the page's browser a console session, logged in through the app itself: the log-in
    form redirects to PORTAL_BASE_URL (the tests' http://testserver), which this server is not."""
    client = TestClient(live_server.app, follow_redirects=False)
    assert login(client, "acme").status_code == 303
    page.context.add_cookies([{"name": "portal_session", "value": client.cookies["portal_session"],
                               "url": live_server.url}])


def test_a_locked_account_is_told_to_wait_at_360_px(new_page, live_server, factory, merchant):
    factory.user(merchant)
    portal = live_server.portal
    while run_async(portal.hit_limit(portal.settings.login_rate_limit, "login-account", "acme",
                                       "owner@example.com")) is None:
        pass  # the account's attempts used up, as by someone guessing its password
    page = new_page(width=360, height=740, bypass_csp=True)
    submit(page, live_server)
    alert = page.locator(".alert--error")
    assert "Too many log-in attempts. Try again in 15 minutes." in alert.inner_text()
    assert fits(page, ".login-form")
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_the_webhooks_page_shows_refusal_counts_at_360_px(new_page, live_server, factory, merchant):
    factory.user(merchant)
    for kind in ("bad_signature", "bad_signature", "no_secret", "too_large"):
        webhook_refusals.count(live_server.portal.engine, merchant.id, "shopify", kind)
    webhook_refusals.count(live_server.portal.engine, merchant.id, "woocommerce", "ping")
    page = new_page(width=360, height=740, bypass_csp=True)
    logged_in(page, live_server)
    page.goto(live_server("/admin/webhooks"))
    items = page.locator(".webhook-refusals li")
    assert items.all_inner_texts()[0] == "Shopify: 2 refused deliveries (bad signature) in the last 24 h"
    assert items.count() == 4
    assert fits(page, ".webhook-refusals")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
