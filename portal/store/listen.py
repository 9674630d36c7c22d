"""PostgreSQL LISTEN for portal/live/hub.py: every app server hears every server's committed changes.

Changes are sent with `pg_notify` inside the committing transaction (see live.py), so PostgreSQL
delivers them only once that transaction commits. One dedicated connection per app server
listens; if it drops, it reconnects with backoff and tells every open page to re-check, since
notifications sent while it was away are lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

log = logging.getLogger("portal.live")


def conninfo(url: URL) -> str:
    """A libpq connection string from the app's SQLAlchemy URL (driver name dropped)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresListener:
    """Hands each notification's payload to `heard`; calls `missed` after a reconnection (what
    was sent meanwhile is lost)."""

    def __init__(self, url: URL, channel: str, heard: Callable[[str], None], missed: Callable[[], None]) -> None:
        self.conninfo = conninfo(url)
        self.channel = channel
        self.heard, self.missed = heard, missed
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 10.0) -> None:
        self._task = asyncio.create_task(self._run(), name="portal-live-listener")
        try:
            await asyncio.wait_for(self.connected.wait(), timeout)
        except TimeoutError:
            log.warning("live updates: could not LISTEN on PostgreSQL yet; retrying in the background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        delay = 0.5
        reconnecting = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.connected.set()
                    delay = 0.5
                    if reconnecting:
                        self.missed()
                    async for notice in conn.notifies():
                        self.heard(notice.payload)
            except asyncio.CancelledError:
                raise
            except (psycopg.Error, OSError) as exc:
                self.connected.clear()
                reconnecting = True
                log.warning("live updates: PostgreSQL listener lost (%s); reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
