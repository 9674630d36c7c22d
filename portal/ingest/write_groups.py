"""Writes of one kind that wait for this process's database writer together run as one
transaction (the deliveries of webhooks that arrived at once): a transaction's own work (the
session, the commit, the pages SQLite writes for it) is then shared by all of them.

The writer is a standard thread pool (one thread on SQLite: the process's writes queue there
instead of racing for SQLite's single write lock); this only decides which calls go together.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

# Deliveries run in one transaction at most: each waits for the whole group's commit.
GROUP_MAX = 32

log = logging.getLogger(__name__)

_Entry = tuple[tuple[Any, ...], "asyncio.Future[Any]", contextvars.Context]


class WriteGroups:
    def __init__(self, executor: Executor, limit: int = GROUP_MAX) -> None:
        self._executor, self._limit = executor, limit
        self._open: dict[tuple[Any, ...], list[_Entry]] = {}
        self._lock = threading.Lock()

    async def run(self, together: Callable[..., list[Any]], alone: Callable[..., Any], args: tuple[Any, ...],
                  item: tuple[Any, ...]) -> Any:
        """`alone(*args, *item)` in the executor, or, with the items of the same calls that came
        while this one waited, `together(*args, items)`, which returns one result per item and
        must be all or nothing (one transaction): when it raises, each item runs alone, in turn.
        Each call runs in a copy of its caller's context variables (the active locale...); a
        group in its first caller's."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        key = (together, alone, args)
        with self._lock:
            group = self._open.get(key)
            joined = group is not None and len(group) < self._limit
            if not joined:
                group = self._open[key] = []
            group.append((item, future, contextvars.copy_context()))
        if not joined:
            loop.run_in_executor(self._executor, self._run, loop, key, group, together, alone, args)
        return await future

    def waiting(self) -> int:
        """Calls waiting in groups that have not started."""
        with self._lock:
            return sum(len(group) for group in self._open.values())

    def _run(self, loop: asyncio.AbstractEventLoop, key: tuple[Any, ...], group: list[_Entry],
             together: Callable[..., list[Any]], alone: Callable[..., Any], args: tuple[Any, ...]) -> None:
        with self._lock:  # from here on, nothing joins this group
            if self._open.get(key) is group:
                del self._open[key]
        if len(group) > 1:
            try:
                results = group[0][2].run(together, *args, [item for item, _, _ in group])
                if len(results) != len(group):
                    raise RuntimeError(f"{len(results)} results for a group of {len(group)}")
            except Exception:  # nothing of the group was kept: each runs alone below
                log.debug("a group of %d writes failed; each runs alone", len(group), exc_info=True)
            else:
                for (_, future, _), result in zip(group, results):
                    loop.call_soon_threadsafe(_settle, future, result, None)
                return
        for item, future, context in group:
            try:
                result = context.run(alone, *args, *item)
            except BaseException as exc:  # handed to whoever waits for it
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # its caller went away (a cancelled request)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
