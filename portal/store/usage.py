"""Tracking page use: adding batches of counts, and reading them back for a shop and a range of days."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from portal.store.records import OrderViewCount, OutboxMessage, UsageCount

# Outbox kinds that are no tracking e-mail about an order.
NOT_TRACKING_EMAILS = ("test",)


@functools.cache
def _add_statement(dialect: str, model: type, key: tuple[str, ...], counters: tuple[str, ...]) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE SET counter = counter + new: the same on SQLite and PostgreSQL."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = {"sqlite": sqlite, "postgresql": postgresql}[dialect].insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in counters})


def add_counts(session: Session, views: Sequence[dict[str, Any]], usage: Sequence[dict[str, Any]]) -> None:
    """Add a batch: rows of (merchant_id, order_id, day, views, email_views) and (merchant_id, day,
    kind, count) onto what the days already hold."""
    connection = session.connection()
    dialect = connection.dialect.name
    if views:
        connection.execute(_add_statement(dialect, OrderViewCount, ("merchant_id", "day", "order_id"),
                                          ("views", "email_views")), list(views))
    if usage:
        connection.execute(_add_statement(dialect, UsageCount, ("merchant_id", "day", "kind"), ("count",)),
                           list(usage))


def views_by_day(session: Session, merchant_id: int, first: date, last: date) -> list[tuple[date, int, int, int]]:
    """(day, views, orders viewed, views from e-mails) for each day with views."""
    c = OrderViewCount
    statement = (select(c.day, func.sum(c.views), func.count(), func.sum(c.email_views))
                 .where(c.merchant_id == merchant_id, col(c.day) >= first, col(c.day) <= last)
                 .group_by(c.day))
    return [tuple(row) for row in session.exec(statement).all()]  # type: ignore[misc]


def orders_viewed(session: Session, merchant_id: int, first: date, last: date) -> tuple[int, int]:
    """Distinct orders whose page was viewed in the days, and of them those opened from an e-mail."""
    c = OrderViewCount
    statement = (select(func.count(func.distinct(c.order_id)),
                        func.count(func.distinct(case((col(c.email_views) > 0, c.order_id)))))
                 .where(c.merchant_id == merchant_id, col(c.day) >= first, col(c.day) <= last))
    viewed, from_email = session.exec(statement).one()
    return int(viewed or 0), int(from_email or 0)


def counts_by_day(session: Session, merchant_id: int, first: date, last: date) -> list[tuple[date, str, int]]:
    c = UsageCount
    statement = (select(c.day, c.kind, c.count)
                 .where(c.merchant_id == merchant_id, col(c.day) >= first, col(c.day) <= last))
    return [tuple(row) for row in session.exec(statement).all()]  # type: ignore[misc]


def _tracking_emails(merchant_id: int, start: datetime, end: datetime):
    m = OutboxMessage
    return and_(col(m.merchant_id) == merchant_id, col(m.state) == "sent", col(m.order_id).is_not(None),
                col(m.kind).not_in(NOT_TRACKING_EMAILS), col(m.sent_at) >= start, col(m.sent_at) < end)


def emails_by_bucket(session: Session, merchant_id: int, starts: Sequence[datetime], end: datetime) -> dict[int, int]:
    """Tracking e-mails sent from starts[0] to `end`, counted by the interval of `starts` (ascending
    instants: the shop's midnights) each was sent in: {index: count}."""
    m = OutboxMessage
    # Latest start first: the first one an e-mail's time is at or after is its day.
    bucket = case(*((col(m.sent_at) >= at, index) for index, at in reversed(list(enumerate(starts)))), else_=-1)
    statement = (select(bucket, func.count()).where(_tracking_emails(merchant_id, starts[0], end))
                 .group_by(bucket))
    return {int(index): int(count) for index, count in session.exec(statement).all()}


def orders_emailed(session: Session, merchant_id: int, start: datetime, end: datetime, first: date,
                   last: date) -> tuple[int, int]:
    """Distinct orders sent a tracking e-mail from `start` to `end`, and of them those whose page was
    opened from an e-mail's link on the days `first` to `last`."""
    m, c = OutboxMessage, OrderViewCount
    opened = exists().where(c.merchant_id == merchant_id, c.order_id == m.order_id, col(c.day) >= first,
                            col(c.day) <= last, col(c.email_views) > 0)
    statement = (select(func.count(func.distinct(m.order_id)),
                        func.count(func.distinct(case((opened, m.order_id)))))
                 .where(_tracking_emails(merchant_id, start, end)))
    emailed, opened_count = session.exec(statement).one()
    return int(emailed or 0), int(opened_count or 0)
