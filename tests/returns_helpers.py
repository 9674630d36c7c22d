"""Delivered orders with returns switched on, and the shopper's form, for the return request tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlmodel import select

from portal.merchants import apply_settings
from portal.store.db import session_scope
from portal.store.models import LineItem, Merchant, Order
from portal.notify.outbox_worker import OutboxWorker
from tests.conftest import html, order_data
from tests.smtp_server import run_async, send_mail_to


def switch_on(portal, merchant: Merchant, **settings: str) -> None:
    with session_scope(portal.engine) as session:
        apply_settings(session, session.get(Merchant, merchant.id), {"returns": "on", **settings})


def delivered_order(factory, merchant: Merchant, days_ago: float = 3, **overrides: Any) -> Order:
    """An order whose one parcel arrived `days_ago` days ago: two mugs and a hat."""
    arrived = datetime.now(timezone.utc) - timedelta(days=days_ago)
    data = {
        "fulfillment_status": "fulfilled",
        "line_items": [
            {"title": "Trail mug", "variant": "Blue", "sku": "MUG-1", "quantity": 2, "unit_price": "24.50"},
            {"title": "Wool hat", "sku": "HAT-1", "quantity": 1, "unit_price": "19.00"},
        ],
        "shipments": [{"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered",
                       "shipped_at": (arrived - timedelta(days=2)).isoformat(),
                       "events": [{"at": arrived.isoformat(), "status": "delivered"}]}],
        **overrides,
    }
    return factory.order(merchant, **order_data(**data))


def line_ids(portal, order: Order) -> dict[str, int]:
    """Line item ids by title."""
    with session_scope(portal.engine) as session:
        items = session.exec(select(LineItem).where(LineItem.order_id == order.id)).all()
        return {item.title: item.id for item in items}


def form_token(client, path: str) -> str:
    page = html(client.get(path))
    return page.find("input", {"name": "csrf_token"})["value"]


def ask_return(client, factory, merchant: Merchant, order: Order, quantities: dict[int, int],
               reason: str = "damaged", comment: str = ""):
    """Open the order's return form and send it; the answer to the POST."""
    path = factory.link(merchant, order) + "/returns"
    # The session's token, from a page that always has a form (a closed return form has none).
    data = {"csrf_token": form_token(client, f"/{merchant.slug}/track"), "reason": reason, "comment": comment,
            **{f"quantity_{line}": str(count) for line, count in quantities.items()}}
    return client.post(path, data=data)


@pytest.fixture
def mail_settings(settings, smtp):
    return send_mail_to(settings, smtp.port)


def deliver_mail(app) -> dict[str, int]:
    """Run the outbox worker once: what it sent, skipped and failed."""
    return run_async(OutboxWorker(app.state.portal, app).run_once())
