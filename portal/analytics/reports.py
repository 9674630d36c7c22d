"""What the console's analytics page and its CSV files show, for one shop and period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from collections.abc import Callable

from portal.analytics import carrier_report, charts, delays, exports, periods, usage_report
from portal.store.models import Merchant

CSV_FILES = ("usage", "carriers", "delays")


@dataclass
class AnalyticsPage:
    period: periods.Period
    usage: usage_report.Usage
    views_chart: charts.Chart
    carriers: list[carrier_report.CarrierRow]
    # Median days to delivery, per carrier and country that had deliveries.
    transit_chart: charts.Chart
    delays: list[delays.Delay]
    stale_after_days: int
    digest_on: bool


def page(session: Session, merchant: Merchant, days: int) -> AnalyticsPage:
    period = periods.period(days, merchant.timezone)
    usage = usage_report.report(session, merchant.id, period)
    carriers = carrier_report.report(session, merchant.id, period)
    timed = [(row, row.median_days) for row in carriers if row.median_days is not None]
    return AnalyticsPage(period, usage, charts.columns([(day.day, day.views) for day in usage.days]),
                         carriers, charts.rows(timed), delays.late_shipments(session, merchant),
                         delays.stale_after_days(merchant), delays.digest_on(merchant))


def csv_file(session: Session, merchant: Merchant, name: str, days: int,
             order_url: Callable[[int], str]) -> str | None:
    """The CSV text of one table (`usage`, `carriers`, `delays`), or None for a name that is none.
    `order_url`: an order's console page, from its id."""
    period = periods.period(days, merchant.timezone)
    if name == "usage":
        return exports.usage_csv(usage_report.report(session, merchant.id, period))
    if name == "carriers":
        return exports.carriers_csv(carrier_report.report(session, merchant.id, period))
    if name == "delays":
        return exports.delays_csv(delays.late_shipments(session, merchant), order_url)
    return None
