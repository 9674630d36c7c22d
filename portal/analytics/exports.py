"""The analytics tables as CSV files (csv module), one row per line of the console's table."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from portal.analytics.usage_report import Usage

USAGE_COLUMNS = ("date", "page_views", "orders_viewed", "views_from_email", "lookups_found", "lookups_not_found",
                 "tracking_emails_sent")
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
