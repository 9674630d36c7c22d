"""Tracking page use on /admin/analytics: views (rendered, from the page cache, 304), orders viewed,
guest lookups, tracking e-mails and the pages opened from them, checked against a known data set;
usage.csv; counting in memory until a flush; one shop never sees another's counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from starlette.testclient import TestClient

from portal.analytics import counting
from portal.notify import notifications
from portal.notify.outbox_worker import OutboxWorker
from portal.store import outbox, usage
from portal.store.db import session_scope
from tests.conftest import console_login, html, now
from tests.smtp_server import run_async
from tests.test_notifications import settings  # noqa: F401 (a fixture; `smtp`, a real SMTP server, is conftest.py's)


def stats(client, days: int = 30) -> dict[str, str]:
    page = html(client.get(f"/admin/analytics?days={days}"))
    return {dd["data-stat"]: dd.get_text(" ", strip=True) for dd in page.select("dd[data-stat]")}


def flush(portal) -> None:
    """What the app's flush does every PORTAL_ANALYTICS_FLUSH_SECONDS."""
    counting.store(portal, portal.usage.take())


def queue_email(portal, merchant, order_id: int, kind: str = "shipped") -> None:
    """A tracking e-mail about the order, as a change queues one; the outbox worker sends it."""
    with session_scope(portal.engine) as session:
        outbox.queue(session, [outbox.message(merchant.id, order_id, kind, "shopper@example.com",
                                              f"test:{order_id}:{kind}")])


def send_queued(app) -> dict[str, int]:
    return run_async(OutboxWorker(app.state.portal, app).run_once())


def emailed_before(portal, merchant, order_id: int, days_ago: int) -> None:
    """An e-mail counted on an earlier day (as the worker counted it then)."""
    with session_scope(portal.engine) as session:
        usage.add_counts(session, [{"merchant_id": merchant.id, "order_id": order_id, "views": 0, "email_views": 0,
                                    "emails": 1, "day": (now() - timedelta(days=days_ago)).date()}], [])


def lookup(client, shop: str, number: str, contact: str) -> int:
    token = html(client.get(f"/{shop}/track")).find("input", {"name": "csrf_token"})["value"]
    return client.post(f"/{shop}/track", data={"csrf_token": token, "order_number": number,
                                               "contact": contact}).status_code


def test_usage_figures_match_a_known_data_set(app, client, factory, merchant, portal, smtp):
    first = factory.order(merchant, number="#1001")
    second = factory.order(merchant, number="#1002")
    third = factory.order(merchant, number="#1003")
    link_first, link_second = factory.link(merchant, first), factory.link(merchant, second)

    # #1001: rendered, then from the page cache, then opened from an e-mail's link: 3 views, 1 from e-mail.
    assert client.get(link_first).status_code == 200
    assert client.get(link_first).status_code == 200
    assert client.get(link_first + "?via=email").status_code == 200
    # #1002: a render and a revalidation answered 304: 2 views.
    etag = client.get(link_second).headers["etag"]
    assert client.get(link_second, headers={"If-None-Match": etag}).status_code == 304
    # A panel poll is no view of the page.
    assert client.get(link_second + "?panel=status", headers={"HX-Request": "true"}).status_code == 200

    assert lookup(client, "acme", "#1003", "shopper@example.com") == 303
    assert lookup(client, "acme", "#1002", "97205") == 303
    assert lookup(client, "acme", "#9999", "shopper@example.com") == 404

    queue_email(portal, merchant, first.id)                     # e-mailed, opened from the e-mail
    queue_email(portal, merchant, third.id)                     # e-mailed, never opened
    queue_email(portal, merchant, third.id, kind="delivered")   # a second e-mail, the same order
    emailed_before(portal, merchant, second.id, days_ago=40)    # before the last 30 days
    with session_scope(portal.engine) as session:               # the merchant's own test: about no order
        notifications.queue_test(session, merchant, "owner@example.com")
    assert send_queued(app)["sent"] == 4
    assert len(smtp.inbox.messages) == 4

    console_login(client, factory, merchant)
    assert stats(client)["views"] == "0"  # counted in memory: nothing stored before the flush
    flush(portal)
    figures = stats(client)
    assert figures == {
        "views": "5", "orders_viewed": "2", "views_per_order": "2.5", "lookups_found": "2", "lookups_missed": "1",
        "emails_sent": "3", "opened_from_email": "50% (1 of 2)",
    }
    assert stats(client, days=90)["emails_sent"] == "4"
    # The chart says the same in words.
    page = html(client.get("/admin/analytics?days=7"))
    assert page.select_one("svg[role=img] desc").get_text().startswith("5 order page views from")
    assert len(page.select("svg.chart__svg rect.chart__bar")) == 7


def test_usage_csv_parses_and_matches_the_page(client, factory, merchant, portal):
    order = factory.order(merchant)
    link = factory.link(merchant, order)
    for _ in range(4):
        client.get(link)
    lookup(client, "acme", "#1001", "nobody@example.com")
    flush(portal)
    console_login(client, factory, merchant)

    response = client.get("/admin/analytics/usage.csv?days=7")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 7
    today = rows[-1]
    assert today["date"] == now().date().isoformat()
    assert (today["page_views"], today["orders_viewed"], today["lookups_not_found"]) == ("4", "1", "1")
    assert sum(int(row["page_views"]) for row in rows) == int(stats(client, days=7)["views"]) == 4
    assert client.get("/admin/analytics/nothing.csv").status_code == 404


def test_counts_are_stored_when_the_server_stops(app, factory, merchant):
    order = factory.order(merchant)
    link = factory.link(merchant, order)
    with TestClient(app) as client:
        client.get(link)
        client.get(link + "?via=email")
    with TestClient(app, follow_redirects=False) as client:  # a restart: the counts survived
        console_login(client, factory, merchant)
        assert stats(client)["views"] == "2"


def test_a_shop_sees_only_its_own_use(app, client, factory, merchant, portal):
    other = factory.merchant("other", name="Other Shop")
    order = factory.order(merchant)
    for _ in range(3):
        client.get(factory.link(merchant, order))
    lookup(client, "acme", "#1001", "shopper@example.com")
    queue_email(portal, merchant, order.id)
    send_queued(app)
    flush(portal)

    console_login(client, factory, other)
    assert stats(client) == {"views": "0", "orders_viewed": "0", "views_per_order": "–", "lookups_found": "0",
                             "lookups_missed": "0", "emails_sent": "0", "opened_from_email": "–"}
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/analytics/usage.csv").text)))
    assert all(row["page_views"] == "0" and row["lookups_found"] == "0" for row in rows)


def test_the_page_needs_a_login_and_takes_only_known_periods(client, factory, merchant):
    assert client.get("/admin/analytics").status_code == 303
    assert client.get("/admin/analytics/usage.csv").status_code == 303
    console_login(client, factory, merchant)
    page = html(client.get("/admin/analytics?days=12345"))
    assert page.select_one(".period-choice [aria-current]").get_text(strip=True) == "Last 30 days"
    assert client.get("/admin/analytics?days=%00").status_code == 422


def test_counting_can_be_switched_off(settings, factory, merchant):
    from portal.app import create_app

    settings.analytics_counting = False
    app = create_app(settings)
    order_factory = type(factory)(app.state.portal)
    order_factory.app_router = app
    order = order_factory.order(merchant)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get(order_factory.link(merchant, order)).status_code == 200
    with TestClient(app, follow_redirects=False) as client:
        console_login(client, order_factory, merchant)
        assert stats(client)["views"] == "0"
