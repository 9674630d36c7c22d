"""The period a report covers: the last 7, 30 or 90 days, in the shop's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

CHOICES = (7, 30, 90)
DEFAULT_DAYS = 30


def shop_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # a zone the system no longer knows: UTC rather than a failed page
        return ZoneInfo("UTC")


def days_of(text: str | None) -> int:
    """The period a request asks for (`?days=`); anything but 7, 30 or 90 is the default."""
    return int(text) if text in {str(days) for days in CHOICES} else DEFAULT_DAYS


@dataclass(frozen=True)
class Period:
    """Today and the days before it, `days` in all, in the shop's time zone; `now` ends it."""

    days: int
    zone: ZoneInfo
    now: datetime

    @property
    def last(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def first(self) -> date:
        return self.last - timedelta(days=self.days - 1)

    @cached_property
    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]

    @cached_property
    def starts(self) -> list[datetime]:
        """The instant (UTC) each day starts: the shop's midnight, or its first hour on a DST change."""
        return [datetime.combine(day, time(0), self.zone).astimezone(timezone.utc) for day in self.dates]

    @property
    def start(self) -> datetime:
        return self.starts[0]


def period(days: int, zone_name: str, now: datetime | None = None) -> Period:
    return Period(days, shop_zone(zone_name), now or datetime.now(timezone.utc))
