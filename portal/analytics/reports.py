"""What the console's analytics page and its CSV files show, for one shop and period."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from portal.analytics import carrier_report, charts, delays, exports, periods, usage_report
from portal.store.models import Merchant

CSV_FILES = ("usage", "carriers", "delays")
T = TypeVar("T")


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


def page(open_session: Callable[[], AbstractContextManager[Session]], merchant: Merchant, days: int) -> AnalyticsPage:
    """The page's three parts are read at the same time, each in its own session (`open_session`):
    the page waits for the slowest read, the carrier table, rather than for all three in turn."""
    period = periods.period(days, merchant.timezone)

    def read(part: Callable[..., T], *args: Any) -> T:
        with open_session() as session:
            return part(session, *args)

    with ThreadPoolExecutor(max_workers=2) as pool:
        usage_read = pool.submit(read, usage_report.report, merchant.id, period)
        late_read = pool.submit(read, delays.late_shipments, merchant)
        carriers = read(carrier_report.report, merchant.id, period)
        usage, late = usage_read.result(), late_read.result()
    timed = [(row, row.median_days) for row in carriers if row.median_days is not None]
    return AnalyticsPage(period, usage, charts.columns([(day.day, day.views) for day in usage.days]),
                         carriers, charts.rows(timed), late, delays.stale_after_days(merchant), delays.digest_on(merchant))


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
