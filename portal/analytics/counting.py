"""Counting tracking page use without costing the page anything a shopper would notice.

A view or a lookup adds one to a counter in this process's memory; no cookie, nothing about the
visitor, no database write. Every `analytics_flush_seconds` (and when the server stops) the counts
go to the database in one transaction, on the writer threads the other writes queue on, added onto
the day's rows (store/usage.py). Counts of a process that is killed outright since its last flush
are lost: at most that many seconds of views.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from portal.analytics.periods import shop_zone
from portal.orders import history
from portal.store import queries, usage
from portal.store.models import Merchant
from portal.store.records import OutboxMessage

if TYPE_CHECKING:
    from portal.web import Portal

log = logging.getLogger(__name__)

LOOKUP_FOUND = "lookup_found"
LOOKUP_MISSED = "lookup_missed"
# The query parameter tracking e-mails add to their link, so that an open from one is counted.
EMAIL_MARK = ("via", "email")


def shop_today(timezone: str) -> date:
    """Today in the shop's time zone: counts and reports go by the shop's calendar days."""
    return datetime.now(shop_zone(timezone)).date()


class UsageCounter:
    """This process's counts since the last flush."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        # (merchant id, order id, day, from an e-mail) -> views
        self._views: Counter[tuple[int, int, date, bool]] = Counter()
        # (merchant id, day, kind) -> count
        self._usage: Counter[tuple[int, date, str]] = Counter()

    def order_viewed(self, merchant: Merchant, order_id: int, from_email: bool) -> None:
        if self.enabled:
            self._views[(merchant.id, order_id, shop_today(merchant.timezone), from_email)] += 1

    def looked_up(self, merchant: Merchant, found: bool) -> None:
        if self.enabled:
            self._usage[(merchant.id, shop_today(merchant.timezone), LOOKUP_FOUND if found else LOOKUP_MISSED)] += 1

    def take(self) -> tuple[Counter, Counter]:
        """The counts so far; counting starts again from nothing."""
        views, self._views = self._views, Counter()
        counts, self._usage = self._usage, Counter()
        return views, counts

    def give_back(self, batch: tuple[Counter, Counter]) -> None:
        """A batch that could not be stored is added back for the next flush."""
        self._views.update(batch[0])
        self._usage.update(batch[1])


def rows(batch: tuple[Counter, Counter]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The batch as store rows: one per order and day (views and views from e-mails together)."""
    views: dict[tuple[int, int, date], dict[str, Any]] = {}
    for (merchant_id, order_id, day, from_email), count in batch[0].items():
        row = views.setdefault((merchant_id, order_id, day), {"merchant_id": merchant_id, "order_id": order_id,
                                                              "day": day, "views": 0, "email_views": 0,
                                                              "emails": 0})
        row["views"] += count
        if from_email:
            row["email_views"] += count
    counts = [{"merchant_id": merchant_id, "day": day, "kind": kind, "count": count}
              for (merchant_id, day, kind), count in batch[1].items()]
    return list(views.values()), counts


def email_sent(session: Session, message: OutboxMessage) -> None:
    """Count a tracking e-mail about an order on the shop's day, in the transaction that marks it sent
    (the worker's, not a shopper's). Test e-mails and the merchant's digests are about no order; an
    order history e-mail is about all of a shopper's orders."""
    tracking = message.order_id is not None and message.kind != history.KIND
    merchant = queries.merchant_by_id(session, message.merchant_id) if tracking else None
    if merchant is not None:
        usage.add_counts(session, [{"merchant_id": merchant.id, "order_id": message.order_id, "views": 0,
                                    "day": shop_today(merchant.timezone), "email_views": 0, "emails": 1}], [])


def store(portal: Portal, batch: tuple[Counter, Counter]) -> None:
    views, counts = rows(batch)
    with portal.session() as session:
        usage.add_counts(session, views, counts)


async def flush(portal: Portal) -> None:
    """Write what this process counted so far (on the writer threads); kept for the next try if that fails."""
    batch = portal.usage.take()
    if not batch[0] and not batch[1]:
        return
    try:
        await portal.write(store, portal, batch)
    except Exception:  # the database is busy or away: the counts wait for the next flush
        log.exception("could not store %d usage counts; kept for the next flush", len(batch[0]) + len(batch[1]))
        portal.usage.give_back(batch)


@contextlib.asynccontextmanager
async def flushing(portal: Portal):
    """Flush every `analytics_flush_seconds` while the app runs, and once more when it stops."""
    if not portal.usage.enabled:
        yield
        return
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=portal.settings.analytics_flush_seconds)
            await flush(portal)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await task
