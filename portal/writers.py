"""The threads that write to the database in each server process, and their queue.

SQLite lets one writer in at a time; threads of one process that write at once only wait on each
other in SQLite's sleeping busy handler. One writer thread per process (the default on SQLite)
queues them instead. Deliveries that wait in that queue together can then share one transaction
(submit_grouped): a transaction's own work (the session, the connection, the commit and the pages
SQLite writes for it) is about a quarter of a webhook's, and the more deliveries arrive at once,
the more of them share it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

# Deliveries run in one transaction at most: each waits for the whole group's commit.
GROUP_MAX = 32

log = logging.getLogger(__name__)


class _Job:
    __slots__ = ("fn", "args", "item", "alone", "future", "context")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], item: Any = None,
                 alone: Callable[..., Any] | None = None) -> None:
        self.fn, self.args, self.item, self.alone = fn, args, item, alone
        self.future: Future[Any] = Future()
        # A grouped job runs in a copy of its submitter's context variables (the active locale…),
        # as asyncio's run_in_executor callers do; a group runs in its first job's.
        self.context = contextvars.copy_context() if alone is not None else None

    def joins(self, first: _Job) -> bool:
        return self.alone is not None and self.fn is first.fn and self.alone is first.alone and self.args == first.args


class Writers(Executor):
    """An executor whose threads take jobs in the order they came (a concurrent.futures Executor,
    so asyncio's run_in_executor works with it). Jobs from submit_grouped() with the same functions
    and arguments that wait next to each other when a thread becomes free run together."""

    def __init__(self, threads: int, name: str = "portal-write", group_max: int = GROUP_MAX) -> None:
        self.threads, self._name, self._group_max = threads, name, group_max
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            return self._put(_Job(lambda: fn(*args, **kwargs), ()))
        return self._put(_Job(fn, args))

    def submit_grouped(self, together: Callable[..., list[Any]], alone: Callable[..., Any], item: Any,
                       *args: Any) -> Future[Any]:
        """Run `alone(*args, *item)` (`item`: a tuple of arguments), or, with the items of the
        grouped jobs waiting right behind it, `together(*args, items)`, which returns one result
        per item. `together` must be all or nothing (one transaction): when it raises, each item
        runs alone, in order, and each job gets its own result or error."""
        return self._put(_Job(together, args, item, alone))

    def waiting(self) -> int:
        """Jobs not started yet."""
        with self._ready:
            return len(self._jobs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._ready:
            self._closed = True
            if cancel_futures:
                while self._jobs:
                    self._jobs.popleft().future.cancel()
            self._ready.notify_all()
        if wait:
            for thread in self._threads:
                if thread is not threading.current_thread():
                    thread.join()

    def _put(self, job: _Job) -> Future[Any]:
        with self._ready:
            if self._closed:
                raise RuntimeError("cannot schedule new writes after shutdown")
            self._jobs.append(job)
            if len(self._threads) < self.threads:
                thread = threading.Thread(target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._ready.notify()
        return job.future

    def _next(self) -> list[_Job] | None:
        with self._ready:
            while not self._jobs:
                if self._closed:
                    return None
                self._ready.wait()
            batch = [self._jobs.popleft()]
            while self._jobs and len(batch) < self._group_max and self._jobs[0].joins(batch[0]):
                batch.append(self._jobs.popleft())
        return [job for job in batch if job.future.set_running_or_notify_cancel()]

    def _work(self) -> None:
        while (batch := self._next()) is not None:
            if len(batch) > 1:
                first = batch[0]
                try:
                    results = first.context.run(first.fn, *first.args, [job.item for job in batch])
                    if len(results) != len(batch):
                        raise RuntimeError(f"{len(results)} results for a group of {len(batch)}")
                except Exception:  # nothing of the group was kept: each runs alone below
                    log.debug("a group of %d writes failed; each runs alone", len(batch), exc_info=True)
                else:
                    for job, result in zip(batch, results):
                        job.future.set_result(result)
                    continue
            for job in batch:
                _run(job)


def _run(job: _Job) -> None:
    try:
        if job.alone is not None:
            result = job.context.run(job.alone, *job.args, *job.item)
        else:
            result = job.fn(*job.args)
    except BaseException as exc:  # handed to whoever waits for it, as ThreadPoolExecutor does
        job.future.set_exception(exc)
    else:
        job.future.set_result(result)
