"""Dates, times, amounts and numbers in the active locale and the shop's time zone (Babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
    format_skeleton,
    format_time,
    format_timedelta,
    get_datetime_format,
    get_time_format,
    get_timezone_name,
    tokenize_pattern,
)
from babel.numbers import format_decimal

from portal import timestamps
from portal.i18n.active import get_locale, get_timezone
from portal.i18n.locales import babel_locale
from portal.money import format_money


def _babel() -> Locale:
    return babel_locale(get_locale())

def _zone() -> ZoneInfo | timezone:
    try:
        return ZoneInfo(get_timezone())
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return ""
    return format_money(minor, currency, _babel())


def date_(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(*timestamps.shown(value, _zone())).date()
    return _date_text(value, format, _babel())


def datetime_(value: datetime | None, format: str = "medium") -> str:
    """A moment in the shop's time zone and the shopper's locale, as Babel's `format_datetime`
    writes it. A named format is Babel's own composition (the locale's pattern joining its date and
    its time) of two cached parts: a page's moments are nearly all different but fall on a few days
    and, to the displayed precision, a few minutes, so each part is formatted once and reused.
    Tested against `format_datetime` for every shipped locale and format."""
    if value is None:
        return ""
    value, zone = timestamps.shown(value, _zone())  # a stored time any zone can hold
    locale = _babel()
    if format not in _NAMED_FORMATS:
        return _datetime_text(value, format, zone, locale)
    local = _local(value, zone)
    time_key = _time_key(format, locale)(local)
    return (_datetime_pattern(format, locale)
            .replace("{0}", _time_text(time_key, format, zone, locale))
            .replace("{1}", _date_text(local.date(), format, locale)))


_NAMED_FORMATS = frozenset(("full", "long", "medium", "short"))


def _local(value: datetime, zone: ZoneInfo | timezone) -> datetime:
    """`value` in `zone`; a naive value is UTC, as Babel reads it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone)


@lru_cache(maxsize=256)
def _datetime_pattern(format: str, locale: Locale) -> str:
    return get_datetime_format(format, locale=locale).replace("'", "")


@lru_cache(maxsize=256)
def _time_key(format: str, locale: Locale) -> Callable[[datetime], time | datetime]:
    """What the locale's time pattern reads of a local moment: its time of day to the precision
    shown (no seconds in most "short" patterns), or the whole moment when it names the zone, whose
    name or offset depends on the date (as a UTC instant: moments in one zone compare by their wall
    time, so the two 02:30s of an autumn night would share a key)."""
    fields = {token[1][0] for token in tokenize_pattern(get_time_format(format, locale=locale).pattern)
              if token[0] == "field"}
    if fields & set("zZvVOXx"):
        return lambda local: local.astimezone(timezone.utc)
    if fields & set("SA"):
        return lambda local: local.time()
    if "s" in fields:
        return lambda local: local.time().replace(microsecond=0)
    return lambda local: local.time().replace(second=0, microsecond=0)


# Formatting is slow next to a cache hit and a page repeats it for every event and on every live
# refresh, so texts are kept as amounts are (money.format_money): dates and times of day per value,
# format (zone) and locale; a moment in a theme's own pattern whole.
@lru_cache(maxsize=8192)
def _datetime_text(value: datetime, format: str, zone: ZoneInfo | timezone, locale: Locale) -> str:
    return format_datetime(value, format=format, tzinfo=zone, locale=locale)


@lru_cache(maxsize=8192)
def _time_text(value: time | datetime, format: str, zone: ZoneInfo | timezone, locale: Locale) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(zone)
    return format_time(value, format=format, locale=locale)


@lru_cache(maxsize=8192)
def _date_text(value: date, format: str, locale: Locale) -> str:
    return format_date(value, format=format, locale=locale)


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'2 days ago' / 'in 3 hours', in the active locale."""
    if value is None:
        return ""
    now = now or datetime.now(timezone.utc)
    return format_timedelta(value - now, add_direction=True, locale=_babel())


def date_range(start: date | None, end: date | None) -> str:
    if start is None:
        return date_(end)
    if end is None or end == start:
        return date_(start)
    return format_interval(start, end, skeleton="yMMMd", locale=_babel())


def day_span(start: date, end: date | None = None, this_year: int | None = None) -> str:
    """A day with its weekday ("Wednesday, December 2") or a range of them ("Wed, Dec 2 – Fri,
    Dec 4"), with the year only when it is not this year's."""
    this_year = this_year or date.today().year
    end = end or start
    skeleton = "MMMMEEEEd" if start.year == end.year == this_year else "yMMMMEEEEd"
    if end == start:
        return format_skeleton(skeleton, start, locale=_babel())
    return format_interval(start, end, skeleton=skeleton, locale=_babel())


def number(value: Any, pattern: str = "#,##0.######") -> str:
    """A plain number (an exchange rate, a count) with the active locale's digits and separators."""
    return _number_text(value, pattern, _babel())


# Kept like dates: the console's tables repeat the same small counts in hundreds of cells.
@lru_cache(maxsize=8192, typed=True)
def _number_text(value: Any, pattern: str, locale: Locale) -> str:
    return format_decimal(value, format=pattern, locale=locale)


def timezone_name() -> str:
    """The active time zone's name in the active locale ("Mitteleuropäische Zeit")."""
    zone = _zone()
    if not isinstance(zone, ZoneInfo) or zone.key in ("UTC", "Etc/UTC", "Etc/GMT", "GMT"):
        # CLDR has no region for UTC ("Unknown Region (UTC) Time"): name the offset's standard.
        return get_timezone_name(datetime.now(timezone.utc), width="long", locale=_babel())
    return get_timezone_name(zone, width="long", zone_variant="generic", locale=_babel())


def country_name(code: str | None) -> str:
    """A country's name in the active locale from its ISO 3166 alpha-2 code; an unknown code as given."""
    if not code:
        return ""
    return _babel().territories.get(code.upper(), code)
