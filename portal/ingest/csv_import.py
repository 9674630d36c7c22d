"""CSV import of orders: `portal import SLUG FILE.csv` and the console's upload page.

Every row is checked before anything is written, through the same OrderIn model and upsert_order
as the API, so the rules live in one place. An order is written whole or not at all: one bad row
rejects its order (and is reported with its line number); the other orders are still imported.
Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal.i18n import gettext
from portal.ingest.csv_columns import BY_NAME, COLUMNS, LIST_KEYS, column_for, header_name
from portal.ingest.csv_messages import input_errors, validation_errors
from portal.orders import staff_log
from portal.orders.upsert import OrderInputError, number_key, upsert_order
from portal.orders.shipments import tracking_key
from portal.schemas import OrderIn
from portal.store.models import Merchant

SOURCE = "csv"
_DELIMITERS = ",;\t"


class ImportFileError(ValueError):
    """The file as a whole cannot be used. `unreadable`: it is not CSV text at all (a workbook,
    binary data, not UTF-8), as opposed to CSV with the wrong columns."""

    def __init__(self, message: str, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


@dataclass
class RowError:
    line: int
    message: str  # in the locale active while the file was read: the console user's, or English
    column: str | None = None
    order: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}{f' (order {self.order})' if self.order else ''}: {self.message}"


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        counts = {"rows": self.rows, "created": len(self.created), "updated": len(self.updated),
                  "unchanged": len(self.unchanged), "rejected": len(self.rejected), "errors": len(self.errors)}
        if self.dry_run:
            return gettext("%(rows)s rows: %(created)s orders would be created, %(updated)s would be updated, "
                           "%(unchanged)s unchanged, %(rejected)s rejected (%(errors)s errors). "
                           "Dry run: nothing was saved.") % counts
        return gettext("%(rows)s rows: %(created)s orders were created, %(updated)s were updated, "
                       "%(unchanged)s unchanged, %(rejected)s rejected (%(errors)s errors).") % counts


@dataclass
class _Group:
    """The rows of one order: values by column, and which line each value came from."""

    number: str
    lines: list[int] = field(default_factory=list)
    order: dict[str, tuple[str, int]] = field(default_factory=dict)
    items: list[tuple[dict[str, str], int]] = field(default_factory=list)
    shipments: dict[str, tuple[dict[str, str], int]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def read_text(raw: bytes) -> str:
    """Bytes -> text, or a reason the file is not a CSV file we can read."""
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFileError(gettext("This is a spreadsheet workbook (.xlsx), not CSV: save it as "
                                      "\"CSV UTF-8\" first."), True)
    if b"\x00" in raw[:4096]:
        raise ImportFileError(gettext("This is not a CSV text file (it contains binary data)."), True)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(gettext("Line %(line)s is not UTF-8 text: save the file as \"CSV UTF-8\".")
                              % {"line": line}, True) from None


# A file of a thousand stray columns is told about its first few, not all of them.
SHOWN_UNKNOWN = 10


def _reader(text: str) -> tuple[csv.reader, list[str]]:  # type: ignore[valid-type]
    first = text.split("\n", 1)[0]
    # Spreadsheets in many locales save with ";" or tabs: take the one that splits the header best.
    delimiter = max(_DELIMITERS, key=lambda d: sum(header_name(n) in BY_NAME for n in first.split(d)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [header_name(name) for name in next(reader)]
    except StopIteration:
        raise ImportFileError(gettext("The file is empty: the first line must name the columns.")) from None
    except csv.Error as exc:
        raise ImportFileError(gettext("Line 1 is not valid CSV: %(problem)s.") % {"problem": exc}) from None
    unknown = [name for name in header if name and name not in BY_NAME]
    if unknown:
        hints = []
        for name in unknown[:SHOWN_UNKNOWN]:
            close = difflib.get_close_matches(name, BY_NAME, n=1)
            hints.append(gettext("%(column)s (did you mean %(suggestion)s?)")
                         % {"column": repr(name), "suggestion": repr(close[0])} if close else repr(name))
        raise ImportFileError(gettext("Line 1: unknown column %(columns)s. The columns are listed in docs/csv-import.md.")
                              % {"columns": ", ".join(hints) + (", …" if len(unknown) > SHOWN_UNKNOWN else "")})
    if "number" not in header:
        raise ImportFileError(gettext("Line 1: the column %(column)s is required.") % {"column": "'number'"})
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise ImportFileError(gettext("Line 1: column %(columns)s appears more than once.")
                              % {"columns": ", ".join(map(repr, repeated))})
    return reader, header


def _groups(text: str, report: ImportReport) -> list[_Group]:
    reader, header = _reader(text)
    groups: dict[str, _Group] = {}
    line = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.errors.append(RowError(line, gettext("not valid CSV: %(problem)s") % {"problem": exc}))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        values = {name: cell.strip() for name, cell in zip(header, row) if name and cell.strip()}
        number = values.get("number", "")
        group = groups.setdefault(number_key(number), _Group(number)) if number else None
        if len(row) != len(header):
            message = gettext("has %(fields)s fields but the header has %(columns)s") % {
                "fields": len(row), "columns": len(header)}
            error = RowError(start, message, order=number or None)
            (group.errors if group else report.errors).append(error)
            continue
        if group is None:
            report.errors.append(RowError(start, gettext("the order number is empty"), "number"))
            continue
        _add_row(group, values, start)
    return list(groups.values())


def _add_row(group: _Group, values: dict[str, str], line: int) -> None:
    group.lines.append(line)
    by_level: dict[str, dict[str, str]] = {"order": {}, "item": {}, "shipment": {}}
    for name, value in values.items():
        by_level[BY_NAME[name].level][name] = value
    for name, value in by_level["order"].items():
        seen = group.order.get(name)
        if seen is None:
            group.order[name] = (value, line)
        elif seen[0] != value and name != "number":
            message = gettext("%(value)s differs from %(other)s on line %(line)s") % {
                "value": repr(value), "other": repr(seen[0]), "line": seen[1]}
            group.errors.append(RowError(line, message, name, group.number))
    if by_level["item"]:
        group.items.append((by_level["item"], line))
    shipment = by_level["shipment"]
    if shipment:
        key = tracking_key(shipment.get("tracking_number"))
        if key is None:
            group.errors.append(RowError(line, gettext("shipment columns need a tracking_number"), "tracking_number",
                                         group.number))
            return
        seen_shipment = group.shipments.get(key)
        if seen_shipment is None:
            group.shipments[key] = (shipment, line)
            return
        for name, value in shipment.items():
            other = seen_shipment[0].get(name)
            if other is not None and other != value and name != "tracking_number":
                message = gettext("%(value)s differs from %(other)s on line %(line)s for the same tracking number") % {
                    "value": repr(value), "other": repr(other), "line": seen_shipment[1]}
                group.errors.append(RowError(line, message, name, group.number))


def _set(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _payload(group: _Group, merchant: Merchant) -> tuple[dict[str, Any], dict[str, int]]:
    """The OrderIn input for a group, and the line each list entry came from (for error reports)."""
    payload: dict[str, Any] = {"currency": merchant.currency}
    lines = {"": group.lines[0]}
    for name, (value, line) in group.order.items():
        _set(payload, BY_NAME[name].path, [t for t in value.split(",")] if name == "tags" else value)
        lines[name] = line
    for level, rows in (("item", group.items), ("shipment", list(group.shipments.values()))):
        entries = []
        for index, (values, line) in enumerate(rows):
            entry: dict[str, Any] = {}
            for name, value in values.items():
                _set(entry, BY_NAME[name].path, value)
            entries.append(entry)
            lines[f"{LIST_KEYS[level]}.{index}"] = line
        payload[LIST_KEYS[level]] = entries
    return payload, lines


def _located(group: _Group, errors: list[dict[str, str]], lines: dict[str, int]) -> list[RowError]:
    located = []
    for error in errors:
        field_path = error["field"]
        column = column_for(field_path)
        parts = field_path.split(".")
        line = lines.get(".".join(parts[:2])) or lines.get(column or "") or lines[""]
        # "body": a rule across columns, whose message names them ("cancel_reason is only allowed when ...").
        message = error["message"] if column or field_path == "body" else f"{field_path}: {error['message']}"
        located.append(RowError(line, message, column, group.number))
    return sorted(located, key=lambda e: e.line)


def run(engine: Engine, merchant: Merchant, raw: bytes, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then write each valid order in its own transaction (a dry run rolls each
    back), so a big file never holds the database's write lock for long. Raises ImportFileError."""
    report = ImportReport(dry_run=dry_run)
    groups = _groups(read_text(raw), report)
    valid: list[tuple[_Group, OrderIn, dict[str, int]]] = []
    for group in groups:
        if group.lines:  # else every row of the order was unreadable, and is reported already
            payload, lines = _payload(group, merchant)
            try:
                data = OrderIn.model_validate(payload)
            except ValidationError as exc:
                group.errors.extend(_located(group, validation_errors(exc), lines))
        if group.errors:
            report.errors.extend(group.errors)
            report.rejected.append(group.number)
        else:
            valid.append((group, data, lines))
    for group, data, lines in valid:
        with Session(engine, expire_on_commit=False) as session:
            try:
                result = upsert_order(session, merchant, data, source=SOURCE, actor=staff_log.CSV_IMPORT)
                session.flush()
            except (OrderInputError, IntegrityError) as exc:
                session.rollback()
                errors = input_errors(exc) if isinstance(exc, OrderInputError) else [
                    {"field": "number", "message": gettext("clashes with another order of this shop (same number)")}]
                report.errors.extend(_located(group, errors, lines))
                report.rejected.append(group.number)
                continue
            session.rollback() if dry_run else session.commit()
        bucket = report.created if result.created else report.updated if result.changed else report.unchanged
        bucket.append(group.number)
    report.errors.sort(key=lambda e: e.line)
    order_of = {group.number: index for index, group in enumerate(groups)}  # the file's order
    report.rejected.sort(key=lambda number: order_of.get(number, len(order_of)))
    return report


def column_table() -> list[tuple[str, str, str]]:
    """(column, level, meaning) for the docs and the console page."""
    return [(c.name, c.level, c.meaning) for c in COLUMNS]
