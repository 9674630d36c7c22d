"""What outside text and ids the store can hold. Pure rules, used by every way in (API, platforms,
CSV, console and shopper forms, paths).

Text never holds NUL: PostgreSQL refuses it, and SQLite would keep it and show it raw. A
single-line field (numbers, names, tracking numbers, e-mail, phone, ...) holds no line break
either: stored text goes into e-mail headers, where a line break makes the message fail.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

NUL = "\x00"
# Every character str.splitlines() breaks a line at: e-mail headers refuse each of them.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")
_NUL_OR_BREAK = re.compile(f"[{re.escape(NUL + LINE_BREAKS)}]+")

NUL_PROBLEM = "must not contain a NUL character"
LINE_PROBLEM = "must be a single line (no line breaks)"

# The smaller of the two stores' id columns (PostgreSQL's INTEGER): a larger id names nothing.
MAX_ID = 2**31 - 1


class FieldError(ValueError):
    """A named outside field the store cannot hold."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


def text_problem(value: str, single_line: bool = True) -> str | None:
    """Why `value` cannot be stored, or None."""
    if NUL in value:
        return NUL_PROBLEM
    if single_line and _LINE_BREAK.search(value):
        return LINE_PROBLEM
    return None


def check_fields(fields: Iterable[tuple[str, Any]], multiline: Collection[str] = ()) -> None:
    """Raise FieldError for the first text field that cannot be stored (form fields, query parameters).
    Fields are single-line unless named in `multiline`; values that are not text (uploads) pass."""
    for name, value in fields:
        problem = text_problem(value, name not in multiline) if isinstance(value, str) else None
        if problem:
            raise FieldError(name, problem)


def _pattern(refused: str) -> str:
    # \u escapes of four hex digits: the same pattern in pydantic-core (Rust), JSON Schema and Python's re.
    return "[^" + "".join(f"\\u{ord(char):04x}" for char in refused) + "]*$"


# The rules as patterns, for pydantic models and the OpenAPI document.
LINE_PATTERN = "^" + _pattern(NUL + LINE_BREAKS)
TEXT_PATTERN = "^" + _pattern(NUL)
URL_PATTERN = "^https?://" + _pattern(NUL + LINE_BREAKS)


def one_line(value: str) -> str:
    """Stored text made safe for an e-mail header: NULs and line breaks become one space."""
    return _NUL_OR_BREAK.sub(" ", value)


def without_nul(value: str) -> str:
    return value.replace(NUL, "")


def whole_number(text: str, max_digits: int = 9) -> int | None:
    """A non-negative number typed in ASCII digits ("42"), or None. str.isdigit() alone also
    accepts "²" and other digits int() refuses."""
    if not text.isascii() or not text.isdigit() or len(text) > max_digits:
        return None
    return int(text)


def page_number(text: str) -> int:
    """A list's ?page=: 1 unless it is a whole number of at most six digits, and at least 1."""
    return max(1, whole_number(text, 6) or 1)


def store_id(text: str) -> int | None:
    """A row id from a URL ("42"), or None when it cannot name a row (not digits, or too large)."""
    number = whole_number(text, 10)
    return number if number is not None and 0 < number <= MAX_ID else None
