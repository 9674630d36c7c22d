"""The analytics tables as CSV files (csv module), one row per line of the console's table."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from portal.analytics.carrier_report import CarrierRow
from portal.analytics.delays import Delay
from portal.analytics.usage_report import Usage

USAGE_COLUMNS = ("date", "page_views", "orders_viewed", "views_from_email", "lookups_found", "lookups_not_found",
                 "tracking_emails_sent")
CARRIER_COLUMNS = ("carrier", "carrier_name", "country", "shipments", "delivered", "median_days", "p90_days",
                   "delivered_with_estimate", "delivered_by_estimate_share", "with_exception", "exception_share")
DELAY_COLUMNS = ("order_number", "order_url", "carrier", "carrier_name", "tracking_number", "status", "shipped_at",
                 "last_event_at", "days_without_event", "estimated_delivery", "no_scan", "past_estimate")
# A spreadsheet runs a cell starting with one of these as a formula: text from outside (an order
# number, a carrier's name) is written with a leading apostrophe instead.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def usage_csv(usage: Usage) -> str:
    return write(USAGE_COLUMNS, ((d.day.isoformat(), d.views, d.orders_viewed, d.email_views, d.lookups_found,
                                 d.lookups_missed, d.emails_sent) for d in usage.days))


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def carriers_csv(rows: list[CarrierRow]) -> str:
    """Days with two decimals, shares as fractions of 1 with four; empty where there is nothing to divide."""
    return write(CARRIER_COLUMNS, ((r.carrier, r.label, r.country, r.shipments, r.delivered, _rounded(r.median_days, 2),
                                    _rounded(r.p90_days, 2), r.with_estimate, _rounded(r.on_time_share, 4),
                                    r.exceptions, _rounded(r.exception_share, 4)) for r in rows))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def delays_csv(delays: list[Delay], order_url: Callable[[int], str]) -> str:
    """Times in UTC (ISO 8601); `no_scan` and `past_estimate` are 1 or 0."""
    return write(DELAY_COLUMNS, ((d.shipment.order_number, order_url(d.shipment.order_id), d.shipment.carrier,
                                  d.carrier_label, d.shipment.tracking_number, d.shipment.status,
                                  _iso(d.shipment.shipped_at), _iso(d.shipment.last_event), d.quiet_days,
                                  _iso(d.shipment.estimated), int(d.no_scan), int(d.past_estimate)) for d in delays))
