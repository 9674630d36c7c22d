"""What the console's analytics page and its CSV files show, for one shop and period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal.analytics import charts, exports, periods, usage_report
from portal.store.models import Merchant

CSV_FILES = ("usage",)


@dataclass
class AnalyticsPage:
    period: periods.Period
    usage: usage_report.Usage
    views_chart: charts.Chart


def page(session: Session, merchant: Merchant, days: int) -> AnalyticsPage:
    period = periods.period(days, merchant.timezone)
    usage = usage_report.report(session, merchant.id, period)
    return AnalyticsPage(period, usage, charts.columns([(day.day, day.views) for day in usage.days]))


def csv_file(session: Session, merchant: Merchant, name: str, days: int) -> str | None:
    """The CSV text of one table (`usage`, …), or None for a name that is none."""
    period = periods.period(days, merchant.timezone)
    if name == "usage":
        return exports.usage_csv(usage_report.report(session, merchant.id, period))
    return None
