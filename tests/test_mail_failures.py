"""Bad input for e-mail: a mail server that is down, refuses or hangs; crashes around the send."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select
from starlette.testclient import TestClient

from portal.notify import mailer
from portal.app import create_app
from portal.orders.shipments import upsert_shipment
from portal.schemas import ShipmentIn
from portal.store.db import session_scope
from portal.store.models import Order, Shipment, utcnow
from portal.store.records import OutboxMessage
from portal.notify.outbox_worker import OutboxWorker, backoff
from tests.conftest import html, order_data
from tests.smtp_server import SilentServer, SmtpServer, free_port, run_async


@pytest.fixture
def settings(settings):
    settings.smtp_host = "127.0.0.1"
    settings.smtp_port = free_port()  # nothing listens here until a test starts a server
    settings.smtp_starttls = False
    settings.smtp_from = "orders@portal.example"
    settings.smtp_timeout = 0.5
    return settings


def run_worker(app) -> dict[str, int]:
    return run_async(OutboxWorker(app.state.portal, app).run_once())


def only_row(factory) -> OutboxMessage:
    with session_scope(factory.portal.engine) as session:
        return session.exec(select(OutboxMessage)).one()


def make_due(factory) -> None:
    """Let the clock catch up with the backoff instead of sleeping through it."""
    with session_scope(factory.portal.engine) as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


@pytest.fixture
def queued(factory, merchant):
    return factory.order(merchant, shipments=[{"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}])


def test_server_down_keeps_the_mail_queued_then_sends_it(app, factory, settings, queued):
    assert run_worker(app) == {"sent": 0, "skipped": 0, "failed": 1}
    row = only_row(factory)
    assert row.state == "pending" and row.attempts == 1
    assert row.last_error
    wait = (row.next_attempt_at - utcnow()).total_seconds()
    assert settings.mail_retry_base_seconds - 5 < wait <= settings.mail_retry_base_seconds
    assert run_worker(app)["failed"] == 0  # not due yet: no hammering of a dead server

    server = SmtpServer(settings.smtp_port).start()
    try:
        make_due(factory)
        assert run_worker(app)["sent"] == 1
    finally:
        server.stop()
    assert len(server.inbox.messages) == 1
    assert only_row(factory).state == "sent"


def test_server_refusing_is_retried_with_growing_delays(app, factory, settings, queued):
    server = SmtpServer(settings.smtp_port).start()
    try:
        server.inbox.refuse = "451 4.3.0 Try again later"
        run_worker(app)
        first = only_row(factory)
        assert first.state == "pending" and "451" in first.last_error
        make_due(factory)
        server.inbox.refuse = "554 5.7.1 Rejected for now"
        run_worker(app)
        second = only_row(factory)
        assert second.state == "pending" and second.attempts == 2 and "554" in second.last_error
        wait = (second.next_attempt_at - utcnow()).total_seconds()
        assert 2 * settings.mail_retry_base_seconds - 5 < wait <= 2 * settings.mail_retry_base_seconds
        server.inbox.refuse = None
        make_due(factory)
        assert run_worker(app)["sent"] == 1
    finally:
        server.stop()
    assert len(server.inbox.messages) == 1


def test_server_that_hangs_times_out_and_stays_queued(app, factory, settings, queued):
    silent = SilentServer().start()
    settings.smtp_port = silent.port
    try:
        started = time.monotonic()
        assert run_worker(app)["failed"] == 1
        assert time.monotonic() - started < 3
    finally:
        silent.stop()
    row = only_row(factory)
    assert row.state == "pending" and "Timeout" in row.last_error


def wait_until(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_page_and_api_are_unaffected_while_the_mail_server_hangs(settings, factory):
    silent = SilentServer().start()
    settings.smtp_port = silent.port
    settings.smtp_timeout = 60  # the send hangs for the whole test unless the server goes away
    settings.embedded_worker = True
    settings.worker_poll_seconds = 0.05
    app = create_app(settings)
    factory.portal = app.state.portal
    merchant = factory.merchant("acme", name="Acme Outdoor")
    auth = {"Authorization": f"Bearer {factory.api_key(merchant)}"}

    def states() -> list[tuple[str, int]]:
        with session_scope(app.state.portal.engine) as session:
            return [(m.state, m.attempts) for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]

    def post(number: str) -> str:
        created = client.post("/api/v1/orders", json=order_data(number=number, shipments=[
            {"carrier": "UPS", "tracking_number": f"1Z999AA1012345678{number[-1]}"}]), headers=auth)
        assert created.status_code == 201
        return created.json()["tracking_link"].removeprefix("http://testserver")

    try:
        with TestClient(app, follow_redirects=False) as client:
            first = post("#101")
            # The embedded worker is now stuck talking to a mail server that never answers.
            wait_until(lambda: silent.connections == 1 and states() == [("sending", 1)])
            second = post("#102")
            for link in (first, second):
                page = client.get(link)
                assert page.status_code == 200 and html(page).find(id="panel-status") is not None
            assert states() == [("sending", 1), ("pending", 0)]  # the answers did not wait for the mail
            silent.stop()  # the server goes away: the attempt fails and the mail stays queued
            wait_until(lambda: states()[0] == ("pending", 1))
    finally:
        silent.stop()
    assert [state for state, _ in states()] == ["pending", "pending"]


def test_crash_after_sending_resends_with_the_same_message_id(app, factory, settings, queued):
    server = SmtpServer(settings.smtp_port).start()
    worker = OutboxWorker(app.state.portal, app)
    try:
        # The worker claims the row and the server takes the mail, then the process dies before
        # it can mark the row sent.
        [claimed] = worker._claim()
        email = worker._compose(claimed)
        run_async(mailer.send(settings, email))
        assert run_worker(app)["sent"] == 0  # the lease still holds: no second sender meanwhile
        with session_scope(factory.portal.engine) as session:
            session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
        assert run_worker(app)["sent"] == 1
    finally:
        server.stop()
    first, second = server.inbox.messages
    assert first["Message-ID"] == second["Message-ID"]  # the receiving side can drop the duplicate
    row = only_row(factory)
    assert row.state == "sent" and row.attempts == 2


def test_crash_before_commit_queues_nothing(factory, merchant):
    order = factory.order(merchant)
    with pytest.raises(RuntimeError):
        with session_scope(factory.portal.engine) as session:
            fresh = session.get(Order, order.id)
            upsert_shipment(session, merchant, fresh, ShipmentIn(carrier="UPS", tracking_number="1Z999AA10123456784"))
            raise RuntimeError("the process died before the commit")
    with session_scope(factory.portal.engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert session.exec(select(Shipment)).all() == []


def test_gives_up_after_the_last_attempt(app, factory, settings, queued):
    settings.mail_max_attempts = 2
    run_worker(app)
    make_due(factory)
    run_worker(app)
    row = only_row(factory)
    assert row.state == "failed" and row.attempts == 2
    make_due(factory)
    assert run_worker(app) == {"sent": 0, "skipped": 0, "failed": 0}


def test_backoff_doubles_up_to_the_cap(settings):
    settings.mail_retry_base_seconds = 30
    settings.mail_retry_max_seconds = 3600
    assert [backoff(settings, n) for n in (1, 2, 3, 4, 8, 20)] == [30, 60, 120, 240, 3600, 3600]
