"""Helpers for replaying platform deliveries: fixtures on disk, signing, reading back what was stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from portal.store.db import session_scope
from portal.store.models import Order, WebhookDelivery, WebhookReceipt

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def body_of(payload: dict[str, Any] | bytes) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


class Store:
    """Reads back rows the receivers wrote, outside any request."""

    def __init__(self, portal) -> None:
        self.portal = portal

    def orders(self, merchant) -> list[Order]:
        with session_scope(self.portal.engine) as session:
            return list(session.exec(select(Order).where(Order.merchant_id == merchant.id)).all())

    def order(self, merchant, external_id: str) -> Order:
        (order,) = [o for o in self.orders(merchant) if o.external_id == external_id]
        return order

    def receipts(self, merchant) -> list[WebhookReceipt]:
        with session_scope(self.portal.engine) as session:
            return list(session.exec(select(WebhookReceipt).where(WebhookReceipt.merchant_id == merchant.id)).all())

    def deliveries(self, merchant) -> list[WebhookDelivery]:
        with session_scope(self.portal.engine) as session:
            return list(session.exec(select(WebhookDelivery).where(WebhookDelivery.merchant_id == merchant.id)
                                     .order_by(WebhookDelivery.id)).all())


@pytest.fixture
def store(portal) -> Store:
    return Store(portal)
