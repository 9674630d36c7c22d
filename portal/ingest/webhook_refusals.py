"""Webhook deliveries that could not be verified, counted per shop, platform, kind and hour.

Anyone can post to a receiver address, so such deliveries never get a row each in the delivery log
(which holds only verified deliveries); the console shows the counts of the last 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.store.db import session_scope
from portal.store.models import utcnow
from portal.store.refusals import add_refusal, prune_refusals, refusal_totals

BAD_SIGNATURE = "bad_signature"
NO_SECRET = "no_secret"
TOO_LARGE = "too_large"
PING = "ping"  # WooCommerce's unsigned check of a new webhook's address: not refused, still unverified
# Older counts are deleted as new ones arrive; the console shows the last SHOWN_HOURS.
KEEP = timedelta(days=7)
SHOWN_HOURS = 24


@dataclass(frozen=True)
class RefusalTotal:
    platform: str
    kind: str
    total: int


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def count(engine: Engine, merchant_id: int, platform: str, kind: str, now: datetime | None = None) -> None:
    hour = hour_of(now or utcnow())
    with session_scope(engine) as session:
        add_refusal(session, merchant_id, platform, kind, hour)
        prune_refusals(session, merchant_id, hour - KEEP)


def last_day(session: Session, merchant_id: int, now: datetime | None = None) -> list[RefusalTotal]:
    """Totals per platform and kind over the last 24 hours (this hour and the 23 before it)."""
    since = hour_of(now or utcnow()) - timedelta(hours=SHOWN_HOURS - 1)
    return [RefusalTotal(platform, kind, int(total)) for platform, kind, total in
            refusal_totals(session, merchant_id, since)]
