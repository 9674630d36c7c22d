"""How carriers perform, per carrier and destination country, for the shipments shipped in a period
(the definitions are in docs/console.md, Analytics)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from portal import carriers
from portal.analytics.periods import Period
from portal.store import shipment_stats

# Time zones change their offset on a quarter hour (UTC): looking that often finds every change.
STEP = timedelta(minutes=15)


@dataclass
class CarrierRow:
    carrier: str  # our carrier code, else the name the shipment came with, else ""
    country: str  # ISO 3166 alpha-2 of the shipping address, else ""
    shipments: int = 0
    delivered: int = 0
    exceptions: int = 0
    # Days from the first scan to delivery (to a tenth), of the delivered shipments that had a scan.
    transit_days: list[float] = field(default_factory=list)
    with_estimate: int = 0  # delivered, with an estimated date
    on_time: int = 0  # of those, delivered on or before the estimate's last day

    @property
    def label(self) -> str:
        return carriers.carrier_display_name(self.carrier) if self.carrier else ""

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.transit_days) if self.transit_days else None

    @property
    def p90_days(self) -> float | None:
        return percentile(self.transit_days, 90)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.with_estimate if self.with_estimate else None

    @property
    def exception_share(self) -> float | None:
        return self.exceptions / self.shipments if self.shipments else None


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offset (seconds) at `start`, then (instant, offset) at each change until `end`."""
    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    at = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    found: list[tuple[datetime | None, int]] = [(None, offset(start))]
    while at < end:
        at += STEP
        if offset(at) != found[-1][1]:
            found.append((at, offset(at)))
    return found


def report(session: Session, merchant_id: int, period: Period) -> list[CarrierRow]:
    """One row per carrier and country, the most shipments first."""
    rows: dict[tuple[str, str], CarrierRow] = {}
    found = shipment_stats.shipped_between(session, merchant_id, period.start, period.now, period.zone.key,
                                           offsets(period.zone, period.start, period.now))
    for counts in found:
        key = (counts.carrier or (counts.carrier_name or "").strip(), (counts.country or "").strip().upper())
        row = rows.get(key)
        if row is None:
            row = rows[key] = CarrierRow(*key)
        row.shipments += counts.shipments
        row.delivered += counts.delivered
        row.with_estimate += counts.with_estimate
        row.on_time += counts.on_time
        row.exceptions += counts.exceptions
        if counts.transit_tenths is not None and counts.transit_tenths >= 0:
            row.transit_days.extend([counts.transit_tenths / 10] * counts.delivered)
    return sorted(rows.values(), key=lambda row: (-row.shipments, row.label.lower(), row.country))
