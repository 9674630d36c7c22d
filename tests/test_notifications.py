"""Shopper e-mails end to end: a change queues a row, the worker sends it to a real SMTP server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from portal import i18n
from portal.orders import custom_statuses
from portal.i18n import overrides
from portal.orders.custom_statuses import StatusInput
from portal.store.db import session_scope
from portal.store.models import Merchant, Order, utcnow
from portal.store.records import OutboxMessage
from portal.notify.outbox_worker import OutboxWorker
from tests.conftest import PASSWORD, html, order_data, text_of
from tests.smtp_server import run_async



@pytest.fixture
def settings(settings, smtp):
    settings.smtp_host = "127.0.0.1"
    settings.smtp_port = smtp.port
    settings.smtp_starttls = False
    settings.smtp_from = "orders@portal.example"
    settings.smtp_timeout = 2
    return settings


@pytest.fixture
def auth(factory, merchant):
    return {"Authorization": f"Bearer {factory.api_key(merchant)}"}


def run_worker(app) -> dict[str, int]:
    return run_async(OutboxWorker(app.state.portal, app).run_once())


def rows(factory) -> list[OutboxMessage]:
    with session_scope(factory.portal.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def ship(client, auth, number="1001", **extra):
    body = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", **extra}
    response = client.post(f"/api/v1/orders/{number}/shipments", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def parts(message) -> tuple[str, BeautifulSoup]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    page = BeautifulSoup(message.get_body(preferencelist=("html",)).get_content(), "html.parser")
    return text, page


def test_shipped_email_has_headers_both_parts_and_the_signed_link(client, app, factory, merchant, auth, smtp):
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    ship(client, auth)
    assert [(r.kind, r.state) for r in rows(factory)] == [("shipped", "pending")]

    assert run_worker(app) == {"sent": 1, "skipped": 0, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["To"] == "Shopper@Example.com"
    assert message["From"].addresses[0].display_name == "Acme Outdoor"
    assert message["From"].addresses[0].addr_spec == "orders@portal.example"
    assert message["Reply-To"].addresses[0].addr_spec == "help@acme.example"
    assert message["Subject"] == "Your order #1001 is on its way"
    row = rows(factory)[0]
    assert message["Message-ID"] == f"<outbox-{row.id}.{row.message_token}@portal.example>"
    assert row.state == "sent" and row.attempts == 1
    assert message["Content-Language"] == "en"
    assert message.get_content_type() == "multipart/alternative"

    text, page = parts(message)
    with session_scope(factory.portal.engine) as session:
        order = session.exec(select(Order)).one()
    # Marked as opened from an e-mail for the console's analytics (docs/console.md).
    link = "http://testserver" + factory.link(merchant, order) + "?via=email"
    assert page.find("a", class_="button")["href"] == link
    assert f"Track your order: {link}" in text
    assert "1Z999AA10123456784" in text and "UPS" in text
    # Each sentence of the footer on its own line, not run into the one before.
    lines = text.splitlines()
    assert "Questions? Reply to this e-mail to reach Acme Outdoor." in lines
    assert "You receive this e-mail because you placed order #1001." in lines
    assert "Acme Outdoor" in text_of(page.select_one(".shop"))
    # The link works: it opens the shopper's page.
    opened = client.get(link.removeprefix("http://testserver"))
    assert opened.status_code == 200 and "#1001" in text_of(html(opened).find("h1"))
    # Unsubscribing is one click away, in the body and in the headers.
    unsubscribe = page.find("a", string=lambda s: s and "Unsubscribe" in s)["href"]
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://testserver/acme/unsubscribe/")



def test_one_click_unsubscribe_headers_are_plain_ascii_on_the_wire(client, app, settings, auth, smtp):
    # A long address makes the header longer than a mail line's usual 78 characters.
    settings.base_url = "https://tracking.acme-outdoor-and-mountaineering-supplies.example"
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    ship(client, auth)
    assert run_worker(app)["sent"] == 1
    [raw] = smtp.inbox.raw
    # Read as a mail provider's plain parser does: no RFC 2047 decoding, folded lines joined.
    headers = message_from_bytes(raw, policy=policy.compat32)
    unsubscribe = " ".join(headers["List-Unsubscribe"].split())
    assert unsubscribe.startswith("<https://tracking.acme-outdoor-and-mountaineering-supplies.example/acme/"
                                  "unsubscribe/") and unsubscribe.endswith(">")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail provider's one-click POST (RFC 8058: multipart/form-data, no cookie, no form token).
    done = client.__class__(app, follow_redirects=False).post(
        unsubscribe.strip("<>").removeprefix(settings.base_url), files={"List-Unsubscribe": (None, "One-Click")})
    assert done.status_code == 200
    assert text_of(html(done).find("h1")) == "You are unsubscribed"
    with session_scope(app.state.portal.engine) as session:
        assert session.exec(select(Order)).one().email_opt_out_at is not None

def in_norwegian(message: str) -> str:
    i18n.activate("nb")
    try:
        translated = i18n.gettext(message)
    finally:
        i18n.activate(i18n.SOURCE_LOCALE)
    assert translated != message, f"no Norwegian for {message!r}"
    return translated


def test_email_is_in_the_orders_locale(client, app, factory, auth, smtp):
    client.post("/api/v1/orders", json=order_data(locale="nb-NO"), headers=auth)
    ship(client, auth)
    run_worker(app)
    [message] = smtp.inbox.messages
    assert message["Subject"] == in_norwegian("Your order %(number)s is on its way") % {"number": "#1001"}
    assert message["Content-Language"] == "nb"
    text, page = parts(message)
    assert page.find("html")["lang"] == "nb"
    track = in_norwegian("Track your order")
    assert text_of(page.find("a", class_="button")) == track
    assert f"{track}: http://testserver/acme/orders/" in text
    assert in_norwegian("Unsubscribe from e-mails about this order") in text


def test_merchant_wording_overrides_the_catalog(client, app, factory, merchant, auth, smtp):
    source = overrides.source_index(app.state.portal.settings.locales_dir)[("", "Your order %(number)s is on its way")]
    with session_scope(factory.portal.engine) as session:
        overrides.apply(session, session.get(Merchant, merchant.id), "en",
                        [overrides.Entry(source, ("Good news: %(number)s has left our workshop",))])
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    ship(client, auth)
    run_worker(app)
    assert smtp.inbox.messages[0]["Subject"] == "Good news: #1001 has left our workshop"


def test_each_delivery_step_mails_once(client, app, factory, auth, smtp):
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    shipment = ship(client, auth)
    run_worker(app)
    now = utcnow()
    steps = [("in_transit", None), ("out_for_delivery", "Your order #1001 is out for delivery"),
             ("exception", "A problem with the delivery of your order #1001"),
             ("delivered", "Your order #1001 has been delivered")]
    for offset, (status, subject) in enumerate(steps):
        event = {"at": (now + timedelta(minutes=offset)).isoformat(), "status": status}
        assert client.post(f"/api/v1/shipments/{shipment['id']}/events", json={"events": [event]},
                           headers=auth).status_code == 201
        run_worker(app)
        if subject:
            assert smtp.inbox.messages[-1]["Subject"] == subject
    assert len(smtp.inbox.messages) == 4  # shipped + three; "in transit" is for the page only
    # The carrier reports "delivered" again later: nobody gets a second e-mail.
    again = {"at": (now + timedelta(hours=2)).isoformat(), "status": "delivered"}
    client.post(f"/api/v1/shipments/{shipment['id']}/events", json={"events": [again]}, headers=auth)
    run_worker(app)
    assert len(smtp.inbox.messages) == 4


def test_old_news_is_not_mailed(client, factory, auth):
    long_ago = (utcnow() - timedelta(days=30)).isoformat()
    client.post("/api/v1/orders", json=order_data(shipments=[{"carrier": "UPS", "shipped_at": long_ago,
                                                              "tracking_number": "1Z999AA10123456784"}]),
                headers=auth)
    assert rows(factory) == []


def test_custom_status_that_asks_for_it_is_mailed(client, app, factory, merchant, auth, smtp):
    with session_scope(factory.portal.engine) as session:
        custom_statuses.save(session, merchant, StatusInput("engraving", {"en": "Being engraved"}, "teal",
                                                            send_email=True))
        custom_statuses.save(session, merchant, StatusInput("packing", {"en": "Being packed"}, "navy"))
    client.post("/api/v1/orders", json=order_data(custom_status="packing"), headers=auth)
    assert rows(factory) == []  # that status does not send e-mails
    client.post("/api/v1/orders", json=order_data(custom_status="engraving"), headers=auth)
    run_worker(app)
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Your order #1001: Being engraved"
    text, page = parts(message)
    assert "Your order has a new status: Being engraved." in text
    assert text_of(page.find("h1")) == "Being engraved"


def login(client, factory, merchant) -> str:
    factory.user(merchant)
    token = html(client.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    client.post("/admin/login", data={"shop": merchant.slug, "email": "owner@example.com", "password": PASSWORD,
                                      "csrf_token": token})
    return html(client.get("/admin/notifications")).find("input", {"name": "csrf_token"})["value"]


def test_merchant_switches_a_notification_off_and_sends_a_test(client, app, factory, merchant, auth, smtp):
    token = login(client, factory, merchant)
    form = {"csrf_token": token, "out_for_delivery": "on", "delivered": "on", "exception": "on",
            "custom_status": "on"}  # "shipped" left unticked
    assert client.post("/admin/notifications", data=form).status_code == 303
    page = html(client.get("/admin/notifications"))
    assert not page.find("input", {"name": "shipped"}).has_attr("checked")
    assert page.find("input", {"name": "delivered"}).has_attr("checked")

    client.post("/api/v1/orders", json=order_data(), headers=auth)
    ship(client, auth)
    assert rows(factory) == []

    assert client.post("/admin/notifications/test", data={"csrf_token": token}).status_code == 303
    run_worker(app)
    [message] = smtp.inbox.messages
    assert message["To"] == "owner@example.com"
    assert message["Subject"] == "[Test] Your order #1001 is on its way"
    assert "List-Unsubscribe" not in message
    outbox = html(client.get("/admin/notifications")).select("tr.outbox-row")
    assert [row["data-state"] for row in outbox] == ["sent"]
    assert client.post("/admin/notifications/test", data={"csrf_token": "forged"}).status_code == 403


def test_unsubscribe_link_stops_further_mail(client, app, factory, auth, smtp):
    client.post("/api/v1/orders", json=order_data(locale="nb"), headers=auth)
    shipment = ship(client, auth)
    run_worker(app)
    link = smtp.inbox.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")

    asked = client.get(link)  # a link scanner fetching the URL unsubscribes nobody
    assert asked.status_code == 200
    assert html(asked).select_one(".unsubscribe form") is not None
    client.post(f"/api/v1/shipments/{shipment['id']}/events",
                json={"events": [{"at": utcnow().isoformat(), "status": "out_for_delivery"}]}, headers=auth)
    assert rows(factory)[-1].state == "pending"

    # The mail client's one-click POST: no session, no form token, just the signed link.
    fresh = client.__class__(app, follow_redirects=False)
    done = fresh.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert text_of(html(done).find("h1")) == in_norwegian("You are unsubscribed")
    assert [r.state for r in rows(factory)] == ["sent", "skipped"]  # the queued one is not sent either
    client.post(f"/api/v1/shipments/{shipment['id']}/events",
                json={"events": [{"at": utcnow().isoformat(), "status": "delivered"}]}, headers=auth)
    assert len(rows(factory)) == 2
    assert run_worker(app)["sent"] == 0


def test_unsubscribe_page_names_no_order(client, app, auth, smtp):
    # The unsubscribe link outlives revoked tracking links, so its page tells nothing about the order.
    client.post("/api/v1/orders", json=order_data(number="#A-7731"), headers=auth)
    ship(client, auth, number="A-7731")
    run_worker(app)
    link = smtp.inbox.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    asked = client.get(link)
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert text_of(html(done).find("h1")) == "You are unsubscribed"
    for page in (asked, done):
        assert page.status_code == 200
        assert "7731" not in page.text and "Acme Outdoor" in text_of(html(page).find("main"))

def test_unsubscribe_link_must_be_genuine(client, factory, merchant, auth):
    order = factory.order(merchant)
    public_id = order.public_id
    forged = client.post(f"/acme/unsubscribe/{public_id}.AAAAAAAAAAAAAAAAAAAAAAAA",
                         data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 404
    assert "not valid" in text_of(html(forged).find("h1"))
    # A tracking link's token is not an unsubscribe token.
    tracking_token = factory.link(merchant, order).rsplit("/", 1)[1]
    assert client.post(f"/acme/unsubscribe/{tracking_token}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    with session_scope(factory.portal.engine) as session:
        assert session.get(Order, order.id).email_opt_out_at is None


def test_console_lists_only_its_own_mail(client, factory, merchant, auth):
    other = factory.merchant("hygge", currency="DKK", locale="da")
    factory.order(other, currency="DKK", email="kunde@hygge.example",
                  shipments=[{"carrier": "GLS", "tracking_number": "12345678901"}])
    client.post("/api/v1/orders", json=order_data(), headers=auth)
    ship(client, auth)
    login(client, factory, merchant)
    recipients = [text_of(row.find_all("td")[3]) for row in html(client.get("/admin/notifications")).select("tr.outbox-row")]
    assert recipients == ["Shopper@Example.com"]


def test_worker_command_sends_what_is_due(settings, smtp, monkeypatch, client, auth):
    from click.testing import CliRunner

    from portal.cli import main

    client.post("/api/v1/orders", json=order_data(), headers=auth)
    ship(client, auth)
    for name, value in {"DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key,
                        "INSTANCE_DIR": str(settings.instance_dir), "BASE_URL": "http://testserver",
                        "SMTP_PORT": str(smtp.port), "SMTP_STARTTLS": "false"}.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)
    monkeypatch.setenv("PORTAL_SMTP_HOST", "")
    def invoke():  # in a thread: the command runs its own event loop
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(CliRunner().invoke, main, ["worker", "--once"]).result()

    refused = invoke()
    assert refused.exit_code != 0 and "PORTAL_SMTP_HOST" in refused.output
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    result = invoke()
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert smtp.inbox.messages[0]["Subject"] == "Your order #1001 is on its way"


def test_an_expired_unsubscribe_form_speaks_the_orders_language(client, app, factory, auth, smtp):
    client.post("/api/v1/orders", json=order_data(locale="nb"), headers=auth)
    ship(client, auth)
    run_worker(app)
    link = smtp.inbox.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    expired = client.post(link, data={"csrf_token": "from-yesterday"})
    assert expired.status_code == 403
    assert in_norwegian("The form expired. Go back, reload the page and try again.") in text_of(html(expired))
    assert [r.state for r in rows(factory)] == ["sent"]  # still subscribed: nothing was done
    assert client.get(link).status_code == 200
