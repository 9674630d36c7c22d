"""The live_changes table: how server processes sharing one SQLite database hear each other's
order changes (portal/live/hub.py). A committing transaction appends one row; every process reads
the rows after the last one it saw, about once a second; rows older than a minute are deleted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.store.models import utcnow
from portal.store.records import LiveChange

# Every process reads about once a second: a minute leaves a slow one plenty of time.
KEEP = timedelta(minutes=1)


def append(session: Session, origin: str, payload: str) -> None:
    """Inside the committing transaction: the row commits, or rolls back, with the changes."""
    session.execute(insert(LiveChange).values(origin=origin, payload=payload, created_at=utcnow()))


def last_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.max(LiveChange.id))).scalar() or 0


def since(engine: Engine, after: int, origin: str) -> tuple[int, list[str]]:
    """The newest row id, and the payloads after `after` that another origin wrote, in order.

    SQLite lets one writer in at a time and a transaction appends its row just before it commits,
    so ids are given in commit order: nothing can commit later with a smaller id."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(LiveChange.id, LiveChange.origin, LiveChange.payload)
            .where(LiveChange.id > after).order_by(LiveChange.id)).all()
    return (rows[-1].id if rows else after), [row.payload for row in rows if row.origin != origin]


def prune(engine: Engine) -> int:
    with engine.begin() as connection:
        return connection.execute(delete(LiveChange).where(LiveChange.created_at < utcnow() - KEEP)).rowcount
