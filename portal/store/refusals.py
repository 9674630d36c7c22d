"""Counts of webhook deliveries that could not be verified: one row per shop, platform, kind and
hour, its counter raised by an upsert (so a flood of forged deliveries adds no rows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from portal.store.records import WebhookRefusalCount

_TABLE = WebhookRefusalCount.__table__
# INSERT ... ON CONFLICT DO UPDATE: the databases the portal runs on.
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def add_refusal(session: Session, merchant_id: int, platform: str, kind: str, hour: datetime) -> None:
    insert = _INSERTS[session.get_bind().dialect.name](_TABLE).values(
        merchant_id=merchant_id, platform=platform, kind=kind, hour=hour, count=1)
    session.exec(insert.on_conflict_do_update(  # type: ignore[call-overload]
        index_elements=["merchant_id", "platform", "kind", "hour"], set_={"count": _TABLE.c.count + 1}))


def prune_refusals(session: Session, merchant_id: int, before: datetime) -> None:
    session.exec(delete(WebhookRefusalCount).where(  # type: ignore[call-overload]
        WebhookRefusalCount.merchant_id == merchant_id, col(WebhookRefusalCount.hour) < before))


def refusal_totals(session: Session, merchant_id: int, since: datetime) -> Sequence[Row[tuple[str, str, int]]]:
    """(platform, kind, total) of the shop's counts from `since` on."""
    total = func.sum(WebhookRefusalCount.count)
    return session.exec(
        select(WebhookRefusalCount.platform, WebhookRefusalCount.kind, total)
        .where(WebhookRefusalCount.merchant_id == merchant_id, col(WebhookRefusalCount.hour) >= since)
        .group_by(WebhookRefusalCount.platform, WebhookRefusalCount.kind)
        .order_by(WebhookRefusalCount.platform, WebhookRefusalCount.kind)
    ).all()
