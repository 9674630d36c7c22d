"""What every change of an order does, whatever changed it: its version counted up and announced
to open pages (touch), and its timeline entries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.live import hub
from portal.store.models import Order, TimelineEntry, utcnow
from portal.store.writes import insert_rows

# Columns that record when something changed rather than what (and a platform's raw statuses,
# which only staff see): left out of change detection.
ORDER_VOLATILE = frozenset({"version", "updated_at", "source_updated_at", "raw_statuses"})
SHIPMENT_VOLATILE = frozenset({"updated_at"})


def state(row: Any, volatile: frozenset[str]) -> dict[str, Any]:
    """A loaded object's column values but the volatile ones: what tells a change from a repeat."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in volatile}


def touch(session: Session, order: Order, panels: Iterable[str] = hub.PANELS, *facts: hub.Fact) -> None:
    """Count the order's version up and announce it with its facts (after commit): no change goes
    unannounced. The version is counted up in SQL, so a writer that read the order earlier cannot
    repeat a version; the object reads it back when next asked."""
    order.version = Order.version + 1  # type: ignore[assignment]
    order.updated_at = utcnow()
    session.add(order)
    session.flush()
    hub.record(session, order, panels, *facts)


def timeline_row(order: Any, kind: str, at: datetime, params: dict[str, Any] | None = None,
                 visible: bool = True) -> dict[str, Any]:
    return {"order_id": order.id, "at": at, "kind": kind, "params": params or {}, "visible_to_shopper": visible}


def add_timeline(session: Session, rows: list[dict[str, Any]]) -> None:
    """Timeline entries (timeline_row), one statement for all of them."""
    insert_rows(session, TimelineEntry, rows)
