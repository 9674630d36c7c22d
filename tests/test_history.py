"""Order history by e-mail link: the request form, the e-mail (real SMTP server), the signed list,
its expiry, shop isolation, the support command and the console's button."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from portal import i18n
from portal.orders import history
from portal.store.db import session_scope
from portal.store.models import Order
from tests.conftest import console_login, html, text_of
from tests.test_cli import run  # noqa: F401 (a fixture)
from tests.test_notifications import parts, run_worker, settings  # noqa: F401 (fixtures; `smtp` is conftest.py's)


def ask(client, email: str, shop: str = "acme", **headers):
    page = client.get(f"/{shop}/orders", headers=headers)
    assert page.status_code == 200
    token = html(page).find("input", {"name": "csrf_token"})["value"]
    started = time.monotonic()
    response = client.post(f"/{shop}/orders", data={"email": email, "csrf_token": token}, headers=headers)
    return response, time.monotonic() - started


def history_link(message) -> str:
    _, page = parts(message)
    return page.find("a", class_="button")["href"].removeprefix("http://testserver")


def listed(client, path: str) -> list[str]:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return [text_of(a).removeprefix("Order ").strip() for a in html(page).select(".history__number")]


@pytest.fixture
def shopper_orders(factory, merchant):
    """A guest order and two account orders of one shopper (the newest under a new address), and
    orders of other shoppers."""
    factory.order(merchant, number="#1001", email="Shopper@Example.com", placed_at="2026-10-01T10:00:00Z",
                  status="cancelled", cancel_reason="customer")
    factory.order(merchant, number="#1002", email="shopper@example.com", customer_id="77", guest_id=None,
                  placed_at="2026-11-01T10:00:00Z", fulfillment_status="fulfilled",
                  shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered",
                              "shipped_at": "2026-11-02T10:00:00Z",
                              "events": [{"at": "2026-11-04T12:00:00Z", "status": "delivered"}]}])
    factory.order(merchant, number="#1003", email="alex.new@example.com", customer_id="77", guest_id=None,
                  placed_at="2026-11-20T10:00:00Z")
    factory.order(merchant, number="#2001", email="other@example.com", customer_id="78", guest_id="G-0001",
                  placed_at="2026-11-10T10:00:00Z")
    factory.order(merchant, number="#2002", email="someone@example.com", placed_at="2026-11-11T10:00:00Z")


def test_the_form_asks_for_an_email_address(client, merchant):
    page = html(client.get("/acme/orders"))
    assert page.find("input", {"name": "email", "type": "email"}) is not None
    assert page.find("form", class_="history-form")["action"] == "/acme/orders"
    # The lookup page points to it; the embedded lookup opens it on the full site, in a new tab.
    assert html(client.get("/acme/track")).find("a", href="http://testserver/acme/orders").get("target") is None
    framed = client.get("/embed/acme/track")
    assert framed.status_code == 200
    assert html(framed).find("a", href="http://testserver/acme/orders")["target"] == "_blank"


def test_known_and_unknown_addresses_get_the_same_answer_and_only_a_known_one_gets_mail(
        client, app, settings, shopper_orders, smtp):
    known, known_time = ask(client, " SHOPPER@example.com ")
    unknown, unknown_time = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert text_of(html(known).find("main")) == text_of(html(unknown).find("main"))
    assert "If we have orders for that address, a link is on its way" in text_of(html(known).find("main"))
    floor = settings.lookup_failure_floor_ms / 1000
    assert known_time >= floor and unknown_time >= floor

    assert run_worker(app) == {"sent": 1, "skipped": 0, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["To"] == "shopper@example.com"
    assert message["Subject"] == "Your orders at Acme Outdoor"
    text, page = parts(message)
    link = history_link(message)
    assert link.startswith("/acme/history/") and f"See your orders: http://testserver{link}" in text
    assert "Questions? Reply to this e-mail to reach Acme Outdoor." in text.splitlines()
    assert "shopper@example.com" not in link.lower()


def test_the_link_lists_guest_and_account_orders_of_the_shopper_only(client, app, shopper_orders, smtp):
    ask(client, "shopper@example.com")
    run_worker(app)
    link = history_link(smtp.inbox.messages[0])
    # Newest first: the account order under the new address joins through the customer id.
    assert listed(client, link) == ["#1003", "#1002", "#1001"]
    page = html(client.get(link))
    # Each with the order page's headline, its date and its total.
    assert [text_of(e) for e in page.select(".history__headline")] == [
        "Preparing your order", "Delivered Wed, November 4", "Cancelled: at your request"]
    first = page.select_one(".history__order")
    assert "Placed on November 20, 2026" in text_of(first) and "$54.00" in text_of(first)
    # Each entry opens that order's own signed page.
    opened = client.get(first.find("a")["href"])
    assert opened.status_code == 200 and "#1003" in text_of(html(opened).find("h1"))
    assert client.get(link).headers["cache-control"] == "private, no-store"


def test_the_link_expires_after_a_day_and_cannot_be_altered(client, portal, merchant, shopper_orders):
    with session_scope(portal.engine) as session:
        anchor = session.exec(select(Order).where(Order.number == "#1002")).one()
        fresh = history.token_for(portal.settings, anchor, issued_at=time.time() - 23 * 3600)
        stale = history.token_for(portal.settings, anchor, issued_at=time.time() - 25 * 3600)
    assert listed(client, f"/acme/history/{fresh}") == ["#1003", "#1002", "#1001"]
    for token in (stale, fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB"), "nonsense", "x" * 300):
        response = client.get(f"/acme/history/{token}")
        assert response.status_code == 404
        assert "expired or is not valid" in text_of(html(response).find(id="history-error"))
        assert not html(response).select(".history__order")


def test_revoking_the_orders_links_or_changing_its_email_ends_the_history_link(client, portal, factory,
                                                                                merchant, shopper_orders):
    with session_scope(portal.engine) as session:
        anchor = session.exec(select(Order).where(Order.number == "#1001")).one()
        token = history.token_for(portal.settings, anchor)
    assert client.get(f"/acme/history/{token}").status_code == 200
    factory.order(merchant, number="#1001", email="someone-else@example.com", placed_at="2026-10-01T10:00:00Z")
    assert client.get(f"/acme/history/{token}").status_code == 404


def test_one_shop_never_lists_or_mails_another_shops_orders(client, app, portal, factory, merchant,
                                                             shopper_orders, smtp):
    rival = factory.merchant("rival", name="Rival")
    factory.order(rival, number="#9001", email="shopper@example.com", placed_at="2026-11-30T10:00:00Z")
    with session_scope(portal.engine) as session:
        acme_anchor = session.exec(select(Order).where(Order.number == "#1002")).one()
        token = history.token_for(portal.settings, acme_anchor)
    assert client.get(f"/rival/history/{token}").status_code == 404
    assert "#9001" not in listed(client, f"/acme/history/{token}")

    ask(client, "shopper@example.com", shop="rival")
    run_worker(app)
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Your orders at Rival"
    assert listed(client, history_link(message)) == ["#9001"]


def test_the_email_is_in_the_shoppers_language(client, app, shopper_orders, smtp):
    ask(client, "shopper@example.com", **{"Accept-Language": "de-DE,de;q=0.9"})
    run_worker(app)
    [message] = smtp.inbox.messages
    i18n.activate("de")
    subject = i18n.gettext("Your orders at %(shop)s") % {"shop": "Acme Outdoor"}
    assert subject != "Your orders at Acme Outdoor"
    assert message["Subject"] == subject and message["Content-Language"] == "de"


def test_bad_input_is_refused_without_telling_anything(client, app, shopper_orders, smtp):
    for email in ("", "not-an-address", "shopper@example.com\x00", "a b@example.com"):
        response, _ = ask(client, email)
        assert response.status_code == 422
        assert "e-mail address you used" in text_of(html(response).find(id="history-error"))
    expired = client.post("/acme/orders", data={"email": "shopper@example.com", "csrf_token": "stale"})
    assert expired.status_code == 422 and "expired" in text_of(html(expired).find(id="history-error"))
    assert run_worker(app)["sent"] == 0


def test_requests_are_rate_limited_per_client_and_per_address(client, app, shopper_orders, smtp):
    app.state.portal.settings.lookup_rate_limit = "5/minute"
    for _ in range(4):
        response, _ = ask(client, "shopper@example.com")
        assert response.status_code == 200  # the fourth is answered alike, and sends nothing
    assert run_worker(app)["sent"] == 3
    ask(client, "nobody@example.com")
    limited, _ = ask(client, "nobody@example.com")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_support_command_prints_a_working_link(client, run, monkeypatch, shopper_orders):
    monkeypatch.setenv("PORTAL_BASE_URL", "http://testserver")
    result = run("history-link", "acme", "Shopper@Example.com")
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("http://testserver/acme/history/")
    assert listed(client, link.removeprefix("http://testserver")) == ["#1003", "#1002", "#1001"]
    missing = run("history-link", "acme", "nobody@example.com")
    assert missing.exit_code != 0 and "no order" in missing.output


def test_console_sends_the_history_of_an_orders_address(client, app, factory, merchant, shopper_orders, smtp):
    csrf = console_login(client, factory, merchant)
    with session_scope(factory.portal.engine) as session:
        order = session.exec(select(Order).where(Order.number == "#1001")).one()
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert page.find("form", action=f"/admin/orders/{order.id}/send-history") is not None
    assert client.post(f"/admin/orders/{order.id}/send-history", data={}).status_code == 403
    sent = client.post(f"/admin/orders/{order.id}/send-history", data={"csrf_token": csrf})
    assert sent.status_code == 303
    assert "queued" in text_of(html(client.get(sent.headers["location"])).select_one(".send-history"))
    assert "Order history" in text_of(html(client.get("/admin/notifications")).select_one(".outbox-row"))
    run_worker(app)
    [message] = smtp.inbox.messages
    assert message["To"] == "Shopper@Example.com"
    assert listed(client, history_link(message)) == ["#1003", "#1002", "#1001"]

    rival = factory.merchant("rival", name="Rival")
    theirs = factory.order(rival, number="#9001", email="x@example.com")
    assert client.post(f"/admin/orders/{theirs.id}/send-history", data={"csrf_token": csrf}).status_code == 404
