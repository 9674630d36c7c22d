"""Tracking page use over a period: views, orders viewed, guest lookups, tracking e-mails and the
pages opened from them (the definitions are in docs/console.md, Analytics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from portal.analytics.counting import LOOKUP_FOUND, LOOKUP_MISSED
from portal.analytics.periods import Period
from portal.store import usage


@dataclass
class DayUsage:
    day: date
    views: int = 0
    orders_viewed: int = 0
    email_views: int = 0
    lookups_found: int = 0
    lookups_missed: int = 0
    emails_sent: int = 0


@dataclass
class Usage:
    period: Period
    days: list[DayUsage] = field(default_factory=list)
    # Distinct over the whole period (a sum of the days would count an order once per day).
    orders_viewed: int = 0
    orders_opened_from_email: int = 0
    orders_emailed: int = 0
    # Of the orders sent a tracking e-mail in the period, those whose page was opened from one.
    orders_emailed_opened: int = 0

    @property
    def total(self) -> DayUsage:
        """The days added up (its `orders_viewed` is a sum over days: see `orders_viewed`)."""
        names = [name for name in DayUsage.__dataclass_fields__ if name != "day"]
        return DayUsage(self.period.first, **{name: sum(getattr(day, name) for day in self.days) for name in names})

    @property
    def views_per_order(self) -> float | None:
        return self.total.views / self.orders_viewed if self.orders_viewed else None

    @property
    def opened_from_email_share(self) -> float | None:
        return self.orders_emailed_opened / self.orders_emailed if self.orders_emailed else None


def report(session: Session, merchant_id: int, period: Period) -> Usage:
    days = {day: DayUsage(day) for day in period.dates}
    for day, views, orders, email_views, emails in usage.views_by_day(session, merchant_id, period.first, period.last):
        row = days[day]
        row.views, row.orders_viewed, row.email_views, row.emails_sent = views, orders, email_views, emails
    for day, kind, count in usage.counts_by_day(session, merchant_id, period.first, period.last):
        if kind == LOOKUP_FOUND:
            days[day].lookups_found = count
        elif kind == LOOKUP_MISSED:
            days[day].lookups_missed = count
    result = Usage(period, list(days.values()))
    (result.orders_viewed, result.orders_opened_from_email, result.orders_emailed,
     result.orders_emailed_opened) = usage.distinct_orders(session, merchant_id, period.first, period.last)
    return result
