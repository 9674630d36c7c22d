"""Late shipments on /admin/analytics and delays.csv (no scan for the shop's stale_after_days, or past
the estimated date and not delivered), the console's delay settings, and the daily digest e-mail
arriving at a real SMTP server; one shop never sees, nor is e-mailed, another's."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from portal.notify.outbox_worker import OutboxWorker
from tests.conftest import console_login, html, text_of
from tests.smtp_server import run_async
from tests.test_notifications import settings  # noqa: F401 (a fixture; `smtp`, a real SMTP server, is conftest.py's)
from tests.test_analytics_carriers import day, shipment


def seed(factory, merchant) -> dict[str, int]:
    """Late: #4001 (no event for 6 days), #4007 (shipped 5 days ago, no event since), #4002 (past its
    estimate). Not late: on its way in time, delivered, shipped too long ago, a cancelled order's."""
    orders = {
        "#4001": [shipment("UPS", "1Z0000000000004001", 10, [(9, "in_transit"), (6, "in_transit")])],
        "#4002": [shipment("UPS", "1Z0000000000004002", 3, [(1, "in_transit")], estimated_delivery=day(2))],
        "#4003": [shipment("UPS", "1Z0000000000004003", 2, [(1, "in_transit")], estimated_delivery=day(-1))],
        "#4004": [shipment("UPS", "1Z0000000000004004", 10, [(9, "in_transit"), (5, "delivered")],
                           estimated_delivery=day(8))],
        "#4005": [shipment("UPS", "1Z0000000000004005", 120, [])],
        "#4007": [shipment("DHL", "JD000000000000004007", 5, [])],
    }
    ids = {number: factory.order(merchant, number=number, shipments=parcels).id for number, parcels in orders.items()}
    factory.order(merchant, number="#4006", status="cancelled", cancel_reason="customer",
                  shipments=[shipment("UPS", "1Z0000000000004006", 10, [(9, "in_transit")])])
    return ids


def late(client) -> list[tuple[str, str, str]]:
    page = html(client.get("/admin/analytics"))
    return [(row["data-order"], row.find("a")["href"], text_of(row.select_one(".delay-reasons")))
            for row in page.select("tr.delay-row")]


def save(client, csrf: str, **values: str):
    return client.post("/admin/analytics/settings", data={"csrf_token": csrf, **values})


def test_late_shipments_are_listed_with_links_to_their_orders(client, factory, merchant):
    ids = seed(factory, merchant)
    console_login(client, factory, merchant)
    assert late(client) == [
        ("#4001", f"/admin/orders/{ids['#4001']}", "No scan for 6 days"),
        ("#4007", f"/admin/orders/{ids['#4007']}", "No scan for 5 days"),
        ("#4002", f"/admin/orders/{ids['#4002']}", "Past the estimated date"),
    ]


def test_the_shop_sets_when_a_shipment_is_late(client, factory, merchant):
    seed(factory, merchant)
    csrf = console_login(client, factory, merchant)
    response = save(client, csrf, stale_after_days="6")
    assert response.status_code == 303
    assert [number for number, *_ in late(client)] == ["#4001", "#4002"]
    refused = save(client, csrf, stale_after_days="0")
    assert refused.status_code == 422
    assert "Enter a whole number of days from 1 to 60." in text_of(html(refused).select_one(".alert--error"))
    assert html(client.get("/admin/analytics")).select_one("#stale_after_days")["value"] == "6"  # kept


def test_delays_csv_parses_and_matches(client, factory, merchant):
    ids = seed(factory, merchant)
    console_login(client, factory, merchant)
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/analytics/delays.csv").text)))
    assert [(r["order_number"], r["order_url"], r["no_scan"], r["past_estimate"]) for r in rows] == [
        ("#4001", f"http://testserver/admin/orders/{ids['#4001']}", "1", "0"),
        ("#4007", f"http://testserver/admin/orders/{ids['#4007']}", "1", "0"),
        ("#4002", f"http://testserver/admin/orders/{ids['#4002']}", "0", "1"),
    ]
    assert (rows[0]["carrier"], rows[0]["tracking_number"], rows[0]["days_without_event"]) == (
        "ups", "1Z0000000000004001", "6")
    assert rows[2]["estimated_delivery"] == day(2)
    assert rows[1]["last_event_at"] == ""


def test_the_daily_digest_arrives_once_at_the_support_address(app, client, factory, merchant, smtp):
    ids = seed(factory, merchant)
    quiet = factory.merchant("quiet", name="Quiet Shop", support_email="help@quiet.example")
    factory.order(quiet, number="#1", shipments=[shipment("UPS", "1Z1", 1, [(0.5, "in_transit")])])
    unasked = factory.merchant("unasked", name="Unasked Shop", support_email="help@unasked.example")
    factory.order(unasked, number="#1", shipments=[shipment("UPS", "1Z2", 10, [(9, "in_transit")])])
    for shop in (quiet, merchant):
        csrf = console_login(client, factory, shop)
        assert save(client, csrf, stale_after_days="4", delay_digest="on").status_code == 303

    run_async(OutboxWorker(app.state.portal, app).run_once())
    assert len(digests(smtp)) == 1
    email = digests(smtp)[0]
    assert email["To"] == "help@acme.example"
    assert email["Subject"] == "3 late shipments at Acme Outdoor"
    text = email.get_body(("plain",)).get_content()
    for number in ("#4001", "#4002", "#4007"):
        assert f"Order {number}" in text
    assert f"http://testserver/admin/orders/{ids['#4001']}" in text
    assert "#4003" not in text
    links = [a["href"] for a in html_of(email).select("ul.delays a")]
    assert links[0] == f"http://testserver/admin/orders/{ids['#4001']}"

    # Later the same day: the digest is not sent again.
    run_async(OutboxWorker(app.state.portal, app).run_once())
    assert len(digests(smtp)) == 1


def test_no_digest_without_opting_in(app, client, factory, merchant, smtp):
    seed(factory, merchant)
    run_async(OutboxWorker(app.state.portal, app).run_once())
    assert digests(smtp) == []
    csrf = console_login(client, factory, merchant)
    save(client, csrf, stale_after_days="4", delay_digest="on")
    run_async(OutboxWorker(app.state.portal, app).run_once())
    assert len(digests(smtp)) == 1


def test_a_shop_sees_only_its_own_delays(client, factory, merchant):
    seed(factory, merchant)
    other = factory.merchant("other", name="Other Shop")
    console_login(client, factory, other)
    assert late(client) == []
    assert "No late shipments." in client.get("/admin/analytics").text
    assert list(csv.DictReader(io.StringIO(client.get("/admin/analytics/delays.csv").text))) == []


def digests(smtp) -> list:
    """The e-mails to a shop's support address (the others are the seeded orders' shopper e-mails)."""
    return [email for email in smtp.inbox.messages if email["To"].startswith("help@")]


def html_of(email) -> BeautifulSoup:
    return BeautifulSoup(email.get_body(("html",)).get_content(), "html.parser")


def test_the_delay_settings_from_the_command_line(portal, merchant):
    from portal.merchants import MerchantError, apply_settings
    from portal.store.db import session_scope
    from portal.store.models import Merchant

    with session_scope(portal.engine) as session:
        shop = session.get(Merchant, merchant.id)
        apply_settings(session, shop, {"stale_after_days": "7", "delay_digest": "on"})
        assert shop.settings["stale_after_days"] == 7 and shop.settings["delay_digest"] is True
        for bad in ({"stale_after_days": "0"}, {"stale_after_days": "seven"}, {"delay_digest": "maybe"}):
            with pytest.raises(MerchantError):
                apply_settings(session, shop, bad)
        apply_settings(session, shop, {"stale_after_days": "", "delay_digest": "off"})
        assert "stale_after_days" not in shop.settings and "delay_digest" not in shop.settings
