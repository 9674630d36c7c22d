"""Every console page in a real browser, at 360 px and 1280 px, in English, German and Arabic
(right-to-left): the page answers in the login's language, has no horizontal scroll, and axe finds
no violation.

The pages are the app's own GET routes under /admin, so a console page added later is covered
without touching this file; a page whose path needs an id this file cannot supply fails, naming
the id to add to `path_ids`.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from portal import console_auth
from portal.notify import notifications
from portal.orders import custom_statuses
from portal.orders.custom_statuses import StatusInput
from portal.store.db import session_scope
from portal.store.models import Merchant
from tests.browser.test_console_pages import axe_violations, logged_in
from tests.browser.test_theme_accessibility import describe
from tests.webhooks.support import fixture_json, receive_shopify

pytestmark = pytest.mark.browser

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def console_paths(app, ids: dict[str, int]) -> list[str]:
    """The path of every console page: the app's GET routes under /admin, ids filled in."""
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith("/admin") or "GET" not in (route.methods or ()):
            continue
        missing = [name for name in PARAM.findall(route.path) if name not in ids]
        assert not missing, f"{route.path}: give an id for {missing} in path_ids() so the page is tested"
        paths.append(PARAM.sub(lambda m: str(ids[m.group(1)]), route.path))
    return sorted(set(paths))


def path_ids(live_server, factory) -> dict[str, int]:
    """A shop whose console pages have something in every table, and the ids their paths need."""
    portal = live_server.portal
    merchant = factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example")
    user = factory.user(merchant)
    order = factory.order(merchant, number="#1001", payment_status="partially_refunded",
                          fulfillment_status="partially_fulfilled", email="a.very.long.address@example.com",
                          shipments=[{"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                                      "status": "in_transit"}])
    factory.order(merchant, number="#1002", status="cancelled", return_status="requested")
    with session_scope(portal.engine) as session:
        shop = session.get(Merchant, merchant.id)
        status = custom_statuses.save(session, shop, StatusInput(
            key="engraving", labels={"en": "Being engraved"}, color="#1f7a4d", tags=["engrave"]))
        notifications.queue_test(session, shop, "owner@example.com")
    receive_shopify(portal, merchant, "orders/create", "wh-console-1", fixture_json("shopify/orders-create.json"))
    return {"order_id": order.id, "status_id": status.id, "user_id": user.id, "merchant_id": merchant.id}


@pytest.mark.parametrize(("locale", "width"), [("en", 1280), ("en", 360), ("de", 360), ("ar", 360), ("ar", 1280)])
def test_every_console_page_fits_and_passes_axe(new_page, live_server, factory, locale, width):
    ids = path_ids(live_server, factory)
    with session_scope(live_server.portal.engine) as session:
        console_auth.set_locale(session, ids["merchant_id"], ids["user_id"], locale)
    page = new_page(width=width, height=800, bypass_csp=True)
    logged_in(page, live_server)
    problems, visited = [], []
    for path in console_paths(live_server.app, ids):
        answer = page.request.get(live_server(path))
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a stylesheet or a download, not a page
        page.goto(live_server(path))
        visited.append(path)
        # The log-in page knows no login yet (the browser's English); the theme preview is a shopper's page.
        expected = "en" if path in ("/admin/login", "/admin/theme/preview") else locale
        lang = page.evaluate("document.documentElement.lang")
        if lang != expected:
            problems.append(f"{path}: lang={lang!r}")
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        if overflow > 0:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1 || e.getBoundingClientRect().left < -1
                             || e.scrollWidth > e.clientWidth + 1)
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
            problems.append(f"{path}: {overflow} px too wide ({', '.join(wide)})")
        violations = axe_violations(page)
        if violations:
            problems.append(f"{path}: " + describe(violations))
    assert {"/admin/", "/admin/account", f"/admin/orders/{ids['order_id']}", "/admin/webhooks"} <= set(visited)
    assert problems == [], "\n".join(problems)
