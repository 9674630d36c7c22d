"""Tracking page use: adding batches of counts, and reading them back for a shop and a range of days."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from portal.store.records import OrderViewCount, UsageCount


@functools.cache
def _add_statement(dialect: str, model: type, key: tuple[str, ...], counters: tuple[str, ...]) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE SET counter = counter + new: the same on SQLite and PostgreSQL."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = {"sqlite": sqlite, "postgresql": postgresql}[dialect].insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in counters})


def add_counts(session: Session, views: Sequence[dict[str, Any]], usage: Sequence[dict[str, Any]]) -> None:
    """Add a batch: rows of (merchant_id, order_id, day, views, email_views, emails) and
    (merchant_id, day, kind, count) onto what the days already hold."""
    connection = session.connection()
    dialect = connection.dialect.name
    if views:
        connection.execute(_add_statement(dialect, OrderViewCount, ("merchant_id", "day", "order_id"),
                                          ("views", "email_views", "emails")), list(views))
    if usage:
        connection.execute(_add_statement(dialect, UsageCount, ("merchant_id", "day", "kind"), ("count",)),
                           list(usage))


def views_by_day(session: Session, merchant_id: int, first: date,
                 last: date) -> list[tuple[date, int, int, int, int]]:
    """(day, views, orders viewed, views from e-mails, tracking e-mails sent) for each day with any."""
    c = OrderViewCount
    statement = (select(c.day, func.sum(c.views), func.count(case((col(c.views) > 0, 1))), func.sum(c.email_views),
                        func.sum(c.emails))
                 .where(c.merchant_id == merchant_id, col(c.day) >= first, col(c.day) <= last)
                 .group_by(c.day))
    return [tuple(int(value) if index else value for index, value in enumerate(row))  # type: ignore[misc]
            for row in session.exec(statement).all()]


def distinct_orders(session: Session, merchant_id: int, first: date, last: date) -> tuple[int, int, int, int]:
    """Over the days: orders viewed, orders opened from an e-mail, orders sent a tracking e-mail,
    and orders both sent one and opened from one (each order once, however many days)."""
    c = OrderViewCount
    per_order = (select(c.order_id, func.sum(c.views).label("views"), func.sum(c.email_views).label("email_views"),
                        func.sum(c.emails).label("emails"))
                 .where(c.merchant_id == merchant_id, col(c.day) >= first, col(c.day) <= last)
                 .group_by(c.order_id).subquery())
    o = per_order.c
    statement = select(func.count(case((o.views > 0, 1))), func.count(case((o.email_views > 0, 1))),
                       func.count(case((o.emails > 0, 1))), func.count(case((and_(o.emails > 0, o.email_views > 0), 1))))
    return tuple(int(value or 0) for value in session.exec(statement).one())  # type: ignore[return-value]


def counts_by_day(session: Session, merchant_id: int, first: date, last: date) -> list[tuple[date, str, int]]:
    c = UsageCount
    statement = (select(c.day, c.kind, c.count)
                 .where(c.merchant_id == merchant_id, col(c.day) >= first, col(c.day) <= last))
    return [tuple(row) for row in session.exec(statement).all()]  # type: ignore[misc]
