"""What the shopper's order page shows, assembled from the store (no HTTP, no rendering)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from portal import storefront
from portal.orders import custom_statuses, feedback
from portal.orders.headline import Headline, decide, shop_today, zone_of
from portal.orders import returns as order_returns
from portal.orders.shipments import fulfillment_display
from portal.statuses import PROBLEM_SHIPMENT_STATUSES, PROGRESS_STEPS, order_progress, shipment_step
from portal.store import queries
from portal.store.models import CustomStatus, LineItem, Merchant, Order, Shipment, TrackingEvent


@dataclass
class ShipmentView:
    # The models' objects, or plain rows with the same attributes (build() reads the page's lists
    # as rows: queries.shipment_rows and the like).
    shipment: Shipment
    events: list[TrackingEvent]
    items: list[LineItem] = field(default_factory=list)

    @property
    def problem(self) -> bool:
        return self.shipment.status in PROBLEM_SHIPMENT_STATUSES

    @property
    def step(self) -> int:
        """The parcel's own place on the progress steps."""
        return shipment_step(self.shipment.status)


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    params: dict
    shipment_status: str | None = None  # set for tracking events merged into the timeline
    shipment: Any = None  # the parcel a tracking event is about, named on the timeline


@dataclass
class OrderView:
    # The model's object (the console's previews) or a plain row with the same attributes (the
    # shopper's page: queries.order_row).
    order: Order
    items: Sequence[LineItem]
    shipments: list[ShipmentView]
    timeline: list[TimelineItem]
    progress_step: int
    progress_problem: bool
    fulfillment_display: str
    progress_steps: tuple[str, ...] = PROGRESS_STEPS
    # The merchant's own status, when it is set and shoppers may see it.
    custom_status: CustomStatus | None = None
    custom_statuses: Mapping[str, CustomStatus] = field(default_factory=dict)
    # Changes whenever a status colour does, so the stylesheet URL is never served stale.
    custom_css_version: str = ""
    feedback: feedback.FeedbackView = field(default_factory=feedback.FeedbackView)
    # The one sentence at the top of the page (orders/headline.py).
    headline: Headline = field(default_factory=lambda: Headline("preparing"))
    # Cart links that order the items again, when the shop has a storefront (portal.storefront).
    buy_again: storefront.BuyAgain | None = None
    # The order's return requests, and whether a new one can be made.
    returns: order_returns.Returns | None = None

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)


def initials(name: str | None) -> str:
    """ "Alex Demo" -> "A. D.": enough to recognise, not to read a name off a shared screen."""
    return " ".join(f"{part[0]}." for part in (name or "").split())


def partial_postal_code(postal: str | None) -> str:
    """The first half of a postal code (the area), the rest hidden: "5003" -> "50••", "SW1A 1AA" -> "SW1A •••"."""
    if not postal:
        return ""
    shown = (len(postal.replace(" ", "")) + 1) // 2
    result = []
    for char in postal:
        if char == " ":
            result.append(char)
        elif shown > 0:
            result.append(char)
            shown -= 1
        else:
            result.append("•")
    return "".join(result)


def masked_address(address: dict) -> dict[str, str]:
    """Enough for a shopper to recognise their address (initials, area, city, country), with the
    street hidden, so it cannot be read off a shared screen."""
    if not address:
        return {}
    return {
        "name": initials(address.get("name")),
        "postal_code": partial_postal_code(address.get("postal_code")),
        "city": address.get("city") or "",
        "country_code": address.get("country_code") or "",
    }


def build(session: Session, merchant: Merchant, order: Order) -> OrderView:
    items = list(queries.line_item_rows(session, order.id))
    shipments = list(queries.shipment_rows(session, order.id))
    events = queries.event_rows(session, order.id)
    by_shipment: dict[int, list[TrackingEvent]] = {}
    for event in events:
        by_shipment.setdefault(event.shipment_id, []).append(event)
    shipment_views = [ShipmentView(s, by_shipment.get(s.id, [])) for s in shipments]

    timeline = [TimelineItem(e.at, e.kind, e.params) for e in queries.timeline_rows(session, order.id)]
    for view in shipment_views:
        for event in view.events:
            if event.status in ("out_for_delivery", "delivered", "exception", "attempt_fail", "available_for_pickup"):
                timeline.append(TimelineItem(event.at, "tracking", {"message": event.message or ""}, event.status,
                                             view.shipment))
    statuses = custom_statuses.of_shop(session, merchant)
    by_key = custom_statuses.by_key(statuses)
    hidden = {s.key for s in statuses if not s.visible_to_shopper}
    timeline = [item for item in timeline if not (item.kind == "custom_status" and item.params.get("key") in hidden)]
    timeline.sort(key=lambda item: item.at, reverse=True)

    step, problem = order_progress(order.status, order.fulfillment_status, [s.status for s in shipments])
    current = by_key.get(order.custom_status or "")
    if current is not None and not current.visible_to_shopper:
        current = None
    if current is not None and current.progress_step is not None:
        # The merchant's status can move the bar forward ("Awaiting customs" sits at "Shipped"), never back.
        step = max(step, current.progress_step)
    top = decide(order, [(v.shipment, v.events) for v in shipment_views], merchant.settings or {},
                 zone_of(merchant.timezone), shop_today(merchant.timezone))
    return OrderView(order, items, shipment_views, timeline, step, problem, fulfillment_display(order, shipments),
                     custom_status=current, custom_statuses=by_key,
                     custom_css_version=custom_statuses.css_version(statuses), headline=top,
                     feedback=feedback.of_order(session, merchant.id, order.id, shipments),
                     buy_again=storefront.buy_again(merchant.settings or {}, order.source, items),
                     returns=order_returns.returns_of(session, merchant, order, shipments, items))


def stamp(connection: Connection, merchant_id: int, public_id: str) -> tuple | None:
    """(id, version, link_nonce, locale) of the shop's order: all a view or a poll needs first."""
    return queries.order_stamp(connection, merchant_id, public_id)


def page_order(session: Session, merchant_id: int, order_id: int) -> Any | None:
    """The order for its shopper page, as a plain row (read by attribute, like the model)."""
    return queries.order_row(session, merchant_id, order_id)
