"""The order page's headline: the one thing the shopper came to learn (when it arrives, or what
happened instead), decided from the order, its parcels and the shop's usual delivery times.

Rules only: the words are chosen at render time (portal/i18n/headlines.py), in the shopper's
locale. Dates are the shop's calendar days (its time zone), so "today" is the shop's today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal import timestamps
from portal.statuses import PROBLEM_SHIPMENT_STATUSES

# Return statuses the headline speaks of; a declined or cancelled return leaves the delivery news.
RETURN_KINDS = ("requested", "in_progress", "returned")
# Problems in the order the headline names them when parcels differ.
PROBLEMS = ("exception", "attempt_fail", "returning", "expired")


@dataclass(frozen=True)
class Headline:
    """What the headline says, before it is put into words.

    kind: cancelled · return · problem · pickup · out_for_delivery · delivered · partly_delivered ·
    arriving · late · on_its_way · on_hold · preparing.
    """

    kind: str
    start: date | None = None  # arrival (or delivery) date, or the first day of a range
    end: date | None = None  # the last day of a range
    today: bool = False  # `start` is the shop's today
    delivered: int = 0  # parcels delivered (partly_delivered)
    parcels: int = 0  # parcels in all (partly_delivered)
    reason: str = ""  # cancel reason, return status or the parcel's problem status
    place: str = ""  # where a parcel waits for pickup
    unshipped: bool = False  # the shop says some items have not shipped yet
    estimate: bool = False  # dates from the shop's usual times, not from a carrier
    shipment_id: int | None = None  # the parcel the headline is about (a problem, a pickup)

    @property
    def tone(self) -> str:
        """The theme colour that fits: good news, news, a warning or bad news."""
        if self.kind in ("cancelled", "problem"):
            return "bad"
        if self.kind in ("late", "on_hold"):
            return "warn"
        if self.kind == "delivered":
            return "good"
        return "info"


def day_range(value: Any) -> tuple[int, int] | None:
    """A stored `processing_days` / `transit_days` setting ([low, high]) as a pair, or None."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def add_business_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def zone_of(name: str | None) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def local_day(moment: datetime, zone: ZoneInfo | timezone) -> date:
    moment, shown_in = timestamps.shown(moment, zone)
    return moment.astimezone(shown_in).date()


def shop_today(timezone_name: str | None, now: datetime | None = None) -> date:
    return local_day(now or datetime.now(timezone.utc), zone_of(timezone_name))


def decide(order: Any, parcels: Sequence[tuple[Any, Sequence[Any]]], settings: Mapping[str, Any],
           zone: ZoneInfo | timezone, today: date) -> Headline:
    """The headline of `order` (statuses, placed_at), whose `parcels` are (shipment, its events
    newest first) pairs, for a shop with these `settings` in time zone `zone`, on the shop's `today`."""
    unshipped = order.fulfillment_status == "partially_fulfilled"
    if order.status == "cancelled":
        return Headline("cancelled", reason=order.cancel_reason or "other")
    if order.return_status in RETURN_KINDS:
        return Headline("return", reason=order.return_status)
    shipments = [shipment for shipment, _ in parcels]
    events = {shipment.id: list(evts) for shipment, evts in parcels}
    waiting = [s for s in shipments if s.status != "delivered"]
    for problem in PROBLEMS:
        for shipment in waiting:
            if shipment.status == problem:
                return Headline("problem", reason=problem, shipment_id=shipment.id, unshipped=unshipped)
    for shipment in waiting:
        if shipment.status == "available_for_pickup":
            latest = next((e for e in events[shipment.id] if e.status == "available_for_pickup"), None)
            return Headline("pickup", place=(latest.location or "") if latest else "", shipment_id=shipment.id,
                            unshipped=unshipped)
    for shipment in waiting:
        if shipment.status == "out_for_delivery":
            latest = next((e for e in events[shipment.id] if e.status == "out_for_delivery"), None)
            day = local_day(latest.at, zone) if latest else None
            return Headline("out_for_delivery", start=day, today=day == today, shipment_id=shipment.id,
                            unshipped=unshipped)
    if shipments and not waiting:
        if unshipped:
            return Headline("partly_delivered", delivered=len(shipments), parcels=len(shipments), unshipped=True)
        moments = [s.delivered_at for s in shipments if s.delivered_at is not None]
        day = local_day(max(moments), zone) if moments else None
        return Headline("delivered", start=day, today=day == today)
    if shipments and len(waiting) < len(shipments):
        return Headline("partly_delivered", delivered=len(shipments) - len(waiting), parcels=len(shipments),
                        unshipped=unshipped)
    if shipments:
        return _on_the_way(waiting, settings, zone, today, unshipped)
    if order.fulfillment_status == "on_hold":
        return Headline("on_hold")
    if order.fulfillment_status == "fulfilled":
        return Headline("on_its_way")
    return _preparing(order, settings, zone, today)


def _on_the_way(waiting: Sequence[Any], settings: Mapping[str, Any], zone: ZoneInfo | timezone, today: date,
                unshipped: bool) -> Headline:
    """Parcels on their way, none delivered: the carriers' dates, else the shop's usual transit time."""
    dated = [s for s in waiting if s.estimated_delivery is not None]
    if dated:
        start = min(s.estimated_delivery for s in dated)
        end = max(s.estimated_delivery_end or s.estimated_delivery for s in dated)
        if end < today:
            return Headline("late", start=start, end=end, unshipped=unshipped)
        start = max(start, today)
        return Headline("arriving", start=start, end=end, today=start == end == today, unshipped=unshipped)
    transit = day_range(settings.get("transit_days"))
    shipped = [local_day(s.shipped_at, zone) for s in waiting if s.shipped_at is not None]
    if transit and shipped:
        base = max(shipped)
        start, end = add_business_days(base, transit[0]), add_business_days(base, transit[1])
        if end >= today:
            start = max(start, today)
            return Headline("arriving", start=start, end=end, today=start == end == today, estimate=True,
                            unshipped=unshipped)
    return Headline("on_its_way", unshipped=unshipped)


def _preparing(order: Any, settings: Mapping[str, Any], zone: ZoneInfo | timezone, today: date) -> Headline:
    """Nothing shipped yet: with the shop's usual processing and transit times, when it should arrive."""
    processing, transit = day_range(settings.get("processing_days")), day_range(settings.get("transit_days"))
    if processing is None or transit is None or order.placed_at is None:
        return Headline("preparing")
    base = local_day(order.placed_at, zone)
    start = add_business_days(base, processing[0] + transit[0])
    end = add_business_days(base, processing[1] + transit[1])
    if end < today:  # the estimate has passed: no date is better than a wrong one
        return Headline("preparing")
    start = max(start, today)
    return Headline("preparing", start=start, end=end, today=start == end == today, estimate=True)
