"""How carriers perform, per carrier and destination country, for the shipments shipped in a period
(the definitions are in docs/console.md, Analytics)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from sqlmodel import Session

from portal import carriers
from portal.analytics.periods import Period
from portal.store import shipment_stats

SECONDS_A_DAY = 86400


@dataclass
class CarrierRow:
    carrier: str  # our carrier code, else the name the shipment came with, else ""
    country: str  # ISO 3166 alpha-2 of the shipping address, else ""
    shipments: int = 0
    delivered: int = 0
    exceptions: int = 0
    # Days from the first scan to delivery, of the delivered shipments that had a scan.
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


def report(session: Session, merchant_id: int, period: Period) -> list[CarrierRow]:
    """One row per carrier and country, the most shipments first."""
    rows: dict[tuple[str, str], CarrierRow] = {}
    zone = period.zone
    for facts in shipment_stats.shipped_between(session, merchant_id, period.start, period.now):
        carrier = facts.carrier or (facts.carrier_name or "").strip()
        country = (facts.country or "").strip().upper()
        row = rows.get((carrier, country))
        if row is None:
            row = rows[(carrier, country)] = CarrierRow(carrier, country)
        row.shipments += 1
        row.exceptions += bool(facts.exception)
        if facts.delivered_at is None:
            continue
        row.delivered += 1
        if facts.first_scan is not None and facts.first_scan <= facts.delivered_at:
            row.transit_days.append((facts.delivered_at - facts.first_scan).total_seconds() / SECONDS_A_DAY)
        if facts.estimated is not None:
            row.with_estimate += 1
            row.on_time += facts.delivered_at.astimezone(zone).date() <= facts.estimated
    return sorted(rows.values(), key=lambda row: (-row.shipments, row.label.lower(), row.country))
