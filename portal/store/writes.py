"""Writes of rows nothing reads back as objects (timeline entries, line items, tracking events,
receipts, the delivery log): Core statements in the caller's session, one executemany for many
rows, without the unit of work's per-object cost. Also the row locks an order's update takes."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col

from portal.store.models import LineItem, Order, Shipment, ShipmentItem, TrackingEvent

M = TypeVar("M", bound=SQLModel)


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]],
                skip_duplicates_of: Sequence[str] = ()) -> int:
    """INSERT rows in the session's transaction, one statement (executemany for several); columns
    left out get the model's defaults. Returns how many rows were written.

    `skip_duplicates_of`: columns of a unique constraint; rows that would repeat a value are skipped
    (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike), and losing a race to a concurrent
    transaction undoes nothing around it.
    """
    if not rows:
        return 0
    connection = session.connection()
    statement = _insert(model, connection.dialect.name, tuple(skip_duplicates_of))
    return connection.execute(statement, list(rows)).rowcount


@functools.cache
def _insert(model: type[SQLModel], dialect: str, skip_duplicates_of: tuple[str, ...] = ()) -> Any:
    """The INSERT statement, built once: a statement built per call costs more to run (SQLAlchemy
    works out its cache key each time) than the INSERT itself."""
    table = model.__table__  # type: ignore[attr-defined]
    if not skip_duplicates_of:
        return insert(table)
    dialect_module = {"sqlite": sqlite, "postgresql": postgresql}[dialect]
    return dialect_module.insert(table).on_conflict_do_nothing(index_elements=list(skip_duplicates_of))


def insert_object(session: Session, model: type[M], values: dict[str, Any]) -> M:
    """INSERT one row (columns left out get their defaults) and load it as the model's object.
    Constructing the object and flushing it through the unit of work is much slower on the
    webhook path."""
    return session.get_one(model, insert_row(session, model, values))


def insert_row(session: Session, model: type[SQLModel], row: dict[str, Any]) -> int:
    """INSERT one row (columns left out get the model's defaults); returns its new primary key."""
    connection = session.connection()
    return connection.execute(_insert(model, connection.dialect.name), row).inserted_primary_key[0]


# An UPDATE takes SQLite's write lock (held to the commit) and locks the row on PostgreSQL, so
# the version it returns cannot move before this transaction commits.
_LOCK_ORDERS = (
    update(Order.__table__)  # type: ignore[arg-type]
    .where(col(Order.__table__.c.id).in_(bindparam("order_ids", expanding=True)))  # type: ignore[attr-defined]
    .values(version=Order.__table__.c.version)  # type: ignore[attr-defined]
    .returning(Order.__table__.c.id, Order.__table__.c.version)  # type: ignore[attr-defined]
)


def lock_orders(session: Session, order_ids: Collection[int]) -> dict[int, int]:
    """Lock orders' rows to the commit; returns each one's version as stored."""
    if not order_ids:
        return {}
    rows = session.connection().execute(_LOCK_ORDERS, {"order_ids": sorted(order_ids)}).all()
    return {order_id: version for order_id, version in rows}


_DELETE_LINE_ITEMS = delete(LineItem).where(col(LineItem.order_id) == bindparam("order_id"))


def delete_line_items(session: Session, order_id: int) -> None:
    session.execute(_DELETE_LINE_ITEMS, {"order_id": order_id})


def delete_shipments(session: Session, shipment_ids: Collection[int]) -> None:
    """Shipments with their tracking events and items (through the session: objects it holds for
    them are deleted too)."""
    ids = list(shipment_ids)
    for model in (TrackingEvent, ShipmentItem):
        session.execute(delete(model).where(col(model.shipment_id).in_(ids)))  # type: ignore[attr-defined]
    session.execute(delete(Shipment).where(col(Shipment.id).in_(ids)))


_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


def notify(session: Session, channel: str, payloads: Sequence[str]) -> None:
    """PostgreSQL's NOTIFY, sent when (and only if) the session's transaction commits."""
    for payload in payloads:
        session.execute(_NOTIFY, {"channel": channel, "payload": payload})
