"""Change notification: the one way anything hears that an order changed.

- `record(session, order, panels, *facts)`: the order service calls it inside the transaction that
  changes an order (API, webhooks and console all go through portal/orders/).
- `on_change(handler)`: handlers run inside that same transaction, just before it commits, with
  the changes. They may add rows (an e-mail outbox): those commit, or roll back, with the order.
- `Broker`: one per app (so one per server process). Open pages (SSE streams) subscribe to an
  order. Changes reach it only after the commit succeeded. On SQLite: directly in-process, and
  to every other process on the same database through the live_changes table (a row written in
  the committing transaction; each process reads the new rows every `PORTAL_LIVE_POLL_SECONDS`).
  On PostgreSQL: through `NOTIFY` (issued inside the transaction, which PostgreSQL delivers on
  commit and drops on rollback), so every app server listening on the database hears it.

Nothing here can announce uncommitted data: a rollback discards what was recorded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from portal.store import live_changes, writes

log = logging.getLogger(__name__)

# Panels of the order page, in page order; each is templates/_panel_<name>.html.
PANELS: tuple[str, ...] = ("status", "shipments", "items", "returns", "timeline", "details")
# The panels a shipment or tracking change can alter.
SHIPPING_PANELS: frozenset[str] = frozenset({"status", "shipments", "timeline"})
NOTIFY_CHANNEL = "portal_live"
# On SQLite, how often the live_changes table is pruned of rows every process has read.
PRUNE_SECONDS = 60.0

_PENDING = "portal.live.pending"
_COMMITTING = "portal.live.committing"


class Fact(NamedTuple):
    """Something that happened to an order, e.g. ("shipment_status", "delivered", 12)."""

    field: str
    value: str
    shipment_id: int | None = None


@dataclass(frozen=True)
class OrderChange:
    merchant_id: int
    order_id: int
    version: int
    panels: frozenset[str]
    facts: tuple[Fact, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """The change as JSON data: what PostgreSQL's NOTIFY and the live_changes table carry."""
        return {"m": self.merchant_id, "o": self.order_id, "v": self.version,
                "p": sorted(self.panels), "f": [list(f) for f in self.facts]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> OrderChange:
        return cls(int(data["m"]), int(data["o"]), int(data["v"]),
                   frozenset(p for p in data["p"] if p in PANELS), tuple(Fact(*f) for f in data.get("f", ())))

    def to_json(self) -> str:
        return json.dumps(self.to_data())

    @classmethod
    def from_json(cls, payload: str) -> OrderChange:
        return cls.from_data(json.loads(payload))


@dataclass
class _Pending:
    order: Any
    panels: set[str] = field(default_factory=set)
    facts: list[Fact] = field(default_factory=list)

    def freeze(self) -> OrderChange:
        return OrderChange(self.order.merchant_id, self.order.id, self.order.version,
                           frozenset(self.panels), tuple(self.facts))


ChangeHandler = Callable[[Session, list[OrderChange]], None]
_handlers: list[ChangeHandler] = []
_brokers: weakref.WeakKeyDictionary[Engine, Broker] = weakref.WeakKeyDictionary()


def record(session: Session, order: Any, panels: Iterable[str] = PANELS, *facts: Fact) -> None:
    """Note, inside the transaction, that `order` changed and which panels show it."""
    pending: dict[int, _Pending] = session.info.setdefault(_PENDING, {})
    entry = pending.setdefault(order.id, _Pending(order))
    entry.panels.update(panels)
    entry.facts.extend(facts)


def on_change(handler: ChangeHandler) -> ChangeHandler:
    """Run `handler(session, changes)` inside every transaction that changes orders, before it commits."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def attach(engine: Engine, broker: Broker) -> None:
    """Deliver changes committed through `engine` to `broker` (in-process delivery)."""
    _brokers[engine] = broker


def is_postgres(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return  # a SAVEPOINT is not the commit; announce when the real one happens
    changes = [entry.freeze() for entry in session.info.pop(_PENDING).values()]
    for handler in list(_handlers):
        handler(session, changes)
    bind = session.get_bind()
    if is_postgres(bind):
        writes.notify(session, NOTIFY_CHANNEL, [change.to_json() for change in changes])
    else:
        broker = _brokers.get(bind.engine)
        # One row for the whole transaction: a bulk of carrier events is one row, not hundreds.
        live_changes.append(session, broker.origin if broker else "",
                            json.dumps([change.to_data() for change in changes]))
        session.info[_COMMITTING] = (broker, changes)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    committing = session.info.pop(_COMMITTING, None)
    if committing is None:
        return
    broker, changes = committing
    if broker is not None:
        broker.publish(changes)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_COMMITTING, None)


class TooManyStreams(Exception):
    """This server process has as many live streams open as it allows (`client`: from that
    client address; otherwise in all)."""

    def __init__(self, client: str | None = None) -> None:
        super().__init__(client)
        self.client = client


class Subscription:
    """One open page listening to one order. Changes coalesce: a slow reader never piles up."""

    def __init__(self, order_id: int, loop: asyncio.AbstractEventLoop, client: str = "") -> None:
        self.order_id = order_id
        self.loop = loop
        self.client = client
        self.panels: set[str] = set()
        self.version = 0
        # The order's links were revoked: this page may not hear about it any more.
        self.revoked = False
        self._ready = asyncio.Event()

    def deliver(self, change: OrderChange) -> None:
        """Called on the subscriber's event loop."""
        self.panels |= change.panels
        self.version = max(self.version, change.version)
        self.revoked = self.revoked or any(fact.field == "link_revoked" for fact in change.facts)
        self._ready.set()

    async def wait(self, timeout: float) -> tuple[set[str], int] | None:
        """The panels changed since the last call, and the newest version; None after `timeout`."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            return None
        self._ready.clear()
        panels, self.panels = self.panels, set()
        return panels, self.version


class Broker:
    """Who is listening to which order in this process, with bounds on the streams it holds: in
    all, and per client address (how many one client may open a minute is a rate limit, routes/events.py)."""

    def __init__(self, max_total: int = 10_000, max_per_client: int = 8) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        # Marks this process's rows in live_changes: its own pages heard of them at once.
        self.origin = secrets.token_hex(8)
        self._lock = threading.Lock()
        self._by_order: dict[int, set[Subscription]] = {}
        self._per_client: Counter[str] = Counter()
        self._total = 0

    def subscribe(self, order_id: int, client: str = "") -> Subscription:
        subscription = Subscription(order_id, asyncio.get_running_loop(), client)
        with self._lock:
            if self._total >= self.max_total:
                raise TooManyStreams()
            if self._per_client[client] >= self.max_per_client:
                raise TooManyStreams(client)
            self._by_order.setdefault(order_id, set()).add(subscription)
            self._per_client[client] += 1
            self._total += 1
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            listeners = self._by_order.get(subscription.order_id)
            if listeners is None or subscription not in listeners:
                return
            listeners.discard(subscription)
            if not listeners:
                del self._by_order[subscription.order_id]
            self._per_client[subscription.client] -= 1
            if self._per_client[subscription.client] <= 0:
                del self._per_client[subscription.client]
            self._total -= 1

    def publish(self, changes: Iterable[OrderChange]) -> None:
        """Hand committed changes to their listeners; safe to call from any thread."""
        for change in changes:
            with self._lock:
                listeners = list(self._by_order.get(change.order_id, ()))
            self._deliver(listeners, lambda subscription: change)

    def refresh_all(self) -> None:
        """Tell every listener to re-check every panel (after notifications may have been missed)."""
        with self._lock:
            listeners = [s for group in self._by_order.values() for s in group]
        self._deliver(listeners, lambda s: OrderChange(0, s.order_id, s.version, frozenset(PANELS)))

    def _deliver(self, listeners: list[Subscription], change_for: Callable[[Subscription], OrderChange]) -> None:
        for subscription in listeners:
            try:
                subscription.loop.call_soon_threadsafe(subscription.deliver, change_for(subscription))
            except RuntimeError:  # that loop has closed: its stream is gone
                self.unsubscribe(subscription)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"streams": self._total, "orders": len(self._by_order), "clients": len(self._per_client)}


@asynccontextmanager
async def listening(engine: Engine, broker: Broker, poll_seconds: float = 1.0) -> AsyncIterator[None]:
    """For the app's lifetime, feed `broker` with the changes other processes commit: on SQLite
    those of every process on the same database (live_changes), on PostgreSQL every server's."""
    if not is_postgres(engine):
        task = asyncio.create_task(_poll(engine, broker, poll_seconds), name="portal-live-poll")
        try:
            yield
        finally:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        return
    from portal.store.listen import PostgresListener

    def heard(payload: str) -> None:
        try:
            change = OrderChange.from_json(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("live updates: ignored a malformed notification %r", payload[:200])
            return
        broker.publish([change])

    listener = PostgresListener(engine.url, NOTIFY_CHANNEL, heard, broker.refresh_all)
    await listener.start()
    try:
        yield
    finally:
        await listener.stop()


async def _poll(engine: Engine, broker: Broker, seconds: float) -> None:
    """Pass the changes other processes wrote to live_changes to this process's open pages."""
    last = await asyncio.to_thread(live_changes.last_id, engine)
    pruned = time.monotonic()
    while True:
        await asyncio.sleep(seconds)
        try:
            last, payloads = await asyncio.to_thread(live_changes.since, engine, last, broker.origin)
            for payload in payloads:
                broker.publish([OrderChange.from_data(data) for data in json.loads(payload)])
            if time.monotonic() - pruned > PRUNE_SECONDS:
                pruned = time.monotonic()
                await asyncio.to_thread(live_changes.prune, engine)
        except Exception:  # the database was busy or away: the next round reads what this one missed
            log.exception("live updates: reading the other processes' changes failed")
