"""Shipments that look late: no carrier scan for the shop's `stale_after_days`, or past their
estimated delivery date and not delivered (the definitions are in docs/console.md, Analytics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from portal import carriers
from portal.analytics.periods import shop_zone
from portal.store import shipment_stats
from portal.store.models import Merchant

STALE_SETTING = "stale_after_days"
DEFAULT_STALE_DAYS = 4
STALE_DAYS_RANGE = (1, 60)
DIGEST_SETTING = "delay_digest"
# Shipments older than this are left out: a parcel lost last year is no delay to act on today.
HORIZON_DAYS = 90
# The most listed on the page, in the CSV and in a digest, the longest quiet first.
LIMIT = 1000


def stale_after_days(merchant: Merchant) -> int:
    return int((merchant.settings or {}).get(STALE_SETTING) or DEFAULT_STALE_DAYS)


def digest_on(merchant: Merchant) -> bool:
    return bool((merchant.settings or {}).get(DIGEST_SETTING, False))


@dataclass(frozen=True)
class Delay:
    shipment: shipment_stats.OpenShipment
    quiet_since: datetime | None  # the last event, else when it shipped
    quiet_days: int | None
    no_scan: bool  # quiet for stale_after_days or more
    past_estimate: bool

    @property
    def carrier_label(self) -> str:
        s = self.shipment
        return carriers.carrier_display_name(s.carrier) if s.carrier else (s.carrier_name or "")


def late_shipments(session: Session, merchant: Merchant, now: datetime | None = None,
                   limit: int = LIMIT) -> list[Delay]:
    now = now or datetime.now(timezone.utc)
    stale_days = stale_after_days(merchant)
    quiet_since = now - timedelta(days=stale_days)
    today = now.astimezone(shop_zone(merchant.timezone)).date()
    found = shipment_stats.open_and_quiet(session, merchant.id, now - timedelta(days=HORIZON_DAYS), quiet_since,
                                          today, limit)
    delays = []
    for shipment in found:
        since = shipment.last_event or shipment.shipped_at
        delays.append(Delay(
            shipment, since, (now - since).days if since else None,
            no_scan=since is not None and since < quiet_since,
            past_estimate=shipment.estimated is not None and shipment.estimated < today,
        ))
    return delays
