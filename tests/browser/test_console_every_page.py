"""Every console page in a real browser, at 360 px and 1280 px (and German at 800 px, where tables
are widest for their room), in English, German and Arabic
(right-to-left): the page answers in the login's language, has no horizontal scroll, and axe finds
no violation.

The pages are the app's own GET routes under /admin (tests/console_pages.py), so a console page
added later is covered without touching this file.
"""

from __future__ import annotations

import pytest

from portal import console_auth
from portal.store.db import session_scope
from tests.browser.test_console_pages import axe_violations, logged_in
from tests.browser.test_theme_accessibility import describe
from tests.console_pages import console_paths, seed_console

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "width"), [("en", 1280), ("en", 360), ("de", 360), ("de", 800), ("ar", 360), ("ar", 1280)])
def test_every_console_page_fits_and_passes_axe(new_page, live_server, factory, locale, width):
    ids = seed_console(live_server.portal, factory)
    with session_scope(live_server.portal.engine) as session:
        console_auth.set_locale(session, ids["merchant_id"], ids["user_id"], locale)
    page = new_page(width=width, height=800, bypass_csp=True)
    logged_in(page, live_server)
    problems, visited = [], []
    missing_order = "/admin/orders/99999999"  # the console's own "Page not found"
    for path in console_paths(live_server.app, ids) + [missing_order]:
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
    assert {"/admin/", "/admin/account", "/admin/account/logout-everywhere", f"/admin/orders/{ids['order_id']}",
            "/admin/webhooks", missing_order} <= set(visited)
    assert problems == [], "\n".join(problems)
