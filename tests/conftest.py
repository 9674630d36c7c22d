"""Fixtures: settings on a temporary SQLite file, the app, a client, and factories.

The schema is migrated once per test session into a template file; each test gets a copy.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from bs4 import BeautifulSoup
import hypothesis
from hypothesis.database import DirectoryBasedExampleDatabase
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal import i18n
from portal.app import create_app
from portal.merchants import create_api_key, create_merchant, create_user
from portal.orders.upsert import upsert_order
from portal.schemas import OrderIn
from portal.settings import Settings
from portal.store.db import make_engine, migrate, session_scope
from portal.store.models import Merchant, Order

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hmac"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def settings(tmp_path, template_db) -> Settings:
    db = tmp_path / "portal.db"
    shutil.copy(template_db, db)
    return Settings(
        database_url=f"sqlite:///{db}",
        secret_key=TEST_SECRET,
        instance_dir=tmp_path / "instance",
        base_url="http://testserver",
        lookup_failure_floor_ms=30,
        lookup_rate_limit="1000/minute",
        _env_file=None,
    )


@pytest.fixture
def app(settings):
    return create_app(settings)


@dataclass
class LiveServer:
    """The app served by a real uvicorn on loopback, in a thread of the test process."""

    url: str
    host: str
    port: int
    app: Starlette
    server: uvicorn.Server

    def __call__(self, path: str) -> str:
        return self.url + path

    @property
    def portal(self):
        return self.app.state.portal


@contextmanager
def serving(app: Starlette) -> Iterator[LiveServer]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread, for as long as the block runs."""
    # Port 0: the kernel picks a free port, no race with other tests. Open SSE streams get two
    # seconds at shutdown, then are cut.
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            http="h11", ws="none", access_log=False, timeout_graceful_shutdown=2,
                            proxy_headers=False)  # as `portal serve`: PORTAL_FORWARDED_ALLOW_IPS decides
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", "127.0.0.1", port, app, server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    with serving(app) as server:
        yield server


@pytest.fixture
def portal(app):
    return app.state.portal


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (tests/smtp_server.py); its `inbox` holds what arrived."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _reset_locale():
    yield
    i18n.activate(i18n.SOURCE_LOCALE)


def order_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "#1001",
        "email": "Shopper@Example.com",
        "phone": "+1 (503) 555-0142",
        "postal_code": "97205",
        "placed_at": "2026-11-02T10:30:00Z",
        "payment_status": "paid",
        "fulfillment_status": "unfulfilled",
        "currency": "USD",
        "totals": {"subtotal": "49.00", "shipping": "5.00", "tax": "0", "discounts": "0", "total": "54.00"},
        "line_items": [
            {"title": "Trail mug", "variant": "Blue", "sku": "MUG-1", "quantity": 2, "unit_price": "24.50"},
        ],
        "shipping_address": {"name": "Alex Walker", "address1": "12 Pine Street", "city": "Portland",
                             "postal_code": "97205", "country_code": "US"},
        "tags": ["vip"],
        "note": "Staff only: gift wrap",
        "guest_id": "G-0001",
    }
    data.update(overrides)
    return data


class Factory:
    def __init__(self, portal) -> None:
        self.portal = portal

    def merchant(self, slug: str = "acme", **kwargs: Any) -> Merchant:
        with session_scope(self.portal.engine) as session:
            merchant = create_merchant(session, slug, kwargs.pop("name", slug.title()),
                                       kwargs.pop("currency", "USD"), kwargs.pop("locale", "en"),
                                       kwargs.pop("timezone", "UTC"))
            for key, value in kwargs.items():
                setattr(merchant, key, value)
            session.add(merchant)
        return merchant

    def order(self, merchant: Merchant, **overrides: Any) -> Order:
        with session_scope(self.portal.engine) as session:
            return upsert_order(session, merchant, OrderIn.model_validate(order_data(**overrides))).order

    def api_key(self, merchant: Merchant) -> str:
        with session_scope(self.portal.engine) as session:
            return create_api_key(session, merchant, "test")

    def user(self, merchant: Merchant, email: str = "owner@example.com", password: str = PASSWORD):
        with session_scope(self.portal.engine) as session:
            return create_user(session, merchant, email, password)

    def link(self, merchant: Merchant, order: Order) -> str:
        with session_scope(self.portal.engine) as session:
            fresh = session.get(Order, order.id)
            return self.portal.tracking_path(merchant, fresh, self.app_router)


@pytest.fixture
def factory(portal, app) -> Factory:
    f = Factory(portal)
    f.app_router = app
    return f


@pytest.fixture
def merchant(factory) -> Merchant:
    return factory.merchant("acme", name="Acme Outdoor", support_email="help@acme.example")


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split()) if node is not None else ""


def now() -> datetime:
    return datetime.now(timezone.utc)


def console_login(client, factory, merchant) -> str:
    """Create a login for `merchant`, log the client in; return the session's CSRF token."""
    factory.user(merchant)
    token = html(client.get("/admin/login")).find("input", {"name": "csrf_token"})["value"]
    response = client.post("/admin/login", data={"shop": merchant.slug, "email": "owner@example.com",
                                                 "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    return html(client.get("/admin/")).find("input", {"name": "csrf_token"})["value"]


# Property tests and the API fuzzer: a bounded number of examples each. In CI the examples are
# derived from each test's name (the same every run, no example database); locally they are new
# each run. PORTAL_FUZZ_EXAMPLES=2000 fuzzes longer.
hypothesis.settings.register_profile(
    "portal",
    max_examples=int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None if os.environ.get("CI") == "true" else DirectoryBasedExampleDatabase(".hypothesis"),
    print_blob=True,
)
hypothesis.settings.load_profile("portal")
