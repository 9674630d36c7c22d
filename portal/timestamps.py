"""The one range of times the portal takes from outside, and how any stored time is shown.

Every time an integration sends (the API's orders, shipments and events, the platforms' webhooks,
the CSV import, carrier feeds) must fall in the years 1970 to 2100 once it is made UTC (a time
without an offset is UTC). A carrier event, and a platform's version time, may also be at most
EVENT_SKEW ahead of now: a feed's clock a little fast, not news from the future that would stay
the parcel's latest for ever. Rows stored before this rule may hold any time: they are shown in
UTC and never count as a parcel's latest event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

from portal.problems import N_, Problem

EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc)
EVENT_SKEW = timedelta(hours=24)

RANGE_MESSAGE = N_("must be between 1970-01-01 and 2100-12-31 (UTC)")
SKEW_MESSAGE = "must not be more than 24 hours in the future"


def utc(value: datetime) -> datetime | None:
    """`value` in UTC (naive means UTC), or None when its offset carries it past year 1 or 9999."""
    if value.utcoffset() is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        return None


def ceiling(now: datetime | None = None) -> datetime:
    """The latest time a carrier event may be at, now."""
    return min((now or datetime.now(timezone.utc)) + EVENT_SKEW, LATEST)


def check(value: datetime, *, ahead: bool = False, now: datetime | None = None) -> datetime:
    """`value`, made aware (naive means UTC), if it is in the accepted range; ValueError saying
    which rule it breaks if not. `ahead`: a carrier event's or version's time, EVENT_SKEW at most
    past now."""
    moment = utc(value)
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise Problem(RANGE_MESSAGE)
    if ahead and moment > ceiling(now):
        raise ValueError(SKEW_MESSAGE)
    return value if value.utcoffset() is not None else moment


def check_day(value: date) -> date:
    """A calendar date (an estimated delivery) in the same years."""
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise Problem(RANGE_MESSAGE)
    return value


def counts(moment: datetime, ceiling: datetime) -> bool:
    """Whether a stored event may be its parcel's latest: one outside the range (stored before the
    range existed) never outranks one inside it."""
    return EARLIEST <= moment <= ceiling


def shown(value: datetime, zone: tzinfo) -> tuple[datetime, tzinfo]:
    """The moment and zone to show `value` in: the shop's zone inside the range (where every zone
    can hold it); UTC outside it, where the shop's zone may not (year 1 in New York is year 0)."""
    moment = utc(value)
    if moment is None:  # only a time made in code, never a stored one: its wall time as UTC
        return value.replace(tzinfo=timezone.utc), timezone.utc
    return moment, (zone if EARLIEST <= moment <= LATEST else timezone.utc)
