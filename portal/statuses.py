"""Canonical status vocabularies.

Every platform value is mapped onto these (one table per platform); the templates and the
progress bar only ever see canonical values.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

OrderStatus = Literal["open", "archived", "cancelled"]
CancelReason = Literal["customer", "declined", "fraud", "inventory", "staff", "other"]
PaymentStatus = Literal[
    "pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided", "expired"
]
FulfillmentStatus = Literal[
    "unfulfilled", "scheduled", "on_hold", "in_progress", "partially_fulfilled", "fulfilled"
]
ReturnStatus = Literal["none", "requested", "in_progress", "returned", "declined", "cancelled"]
ShipmentStatus = Literal[
    "pending",
    "info_received",
    "in_transit",
    "out_for_delivery",
    "available_for_pickup",
    "attempt_fail",
    "delivered",
    "exception",
    "expired",
    "returning",
]

ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatus)
CANCEL_REASONS: tuple[str, ...] = get_args(CancelReason)
PAYMENT_STATUSES: tuple[str, ...] = get_args(PaymentStatus)
FULFILLMENT_STATUSES: tuple[str, ...] = get_args(FulfillmentStatus)
RETURN_STATUSES: tuple[str, ...] = get_args(ReturnStatus)
SHIPMENT_STATUSES: tuple[str, ...] = get_args(ShipmentStatus)

# Tracking-status spellings of carriers and aggregators (AfterShip, 17TRACK, EasyPost, Shippo,
# TrackingMore, Ship24, Shopify's fulfilment shipment_status), keyed by `_alias_key()`: case,
# spaces, dashes and underscores do not matter, so "InTransit", "in_transit" and "IN-TRANSIT" meet.
_SHIPMENT_STATUS_ALIASES: dict[str, str] = {
    # pending: nothing known yet
    "pending": "pending", "notfound": "pending", "unknown": "pending", "created": "pending",
    # info_received: a label exists and the carrier has the shipment data (as SHOPIFY_SHIPMENT_STATUS)
    "inforeceived": "info_received", "pretransit": "info_received", "confirmed": "info_received",
    "acceptedbycarrier": "info_received", "labelcreated": "info_received", "labelprinted": "info_received",
    "labelpurchased": "info_received",
    # in_transit
    "intransit": "in_transit", "transit": "in_transit", "shipped": "in_transit", "pickedup": "in_transit",
    "intransitdelayed": "in_transit",
    # out_for_delivery (TrackingMore calls it "pickup": picked up by the courier for delivery)
    "outfordelivery": "out_for_delivery", "pickup": "out_for_delivery",
    # available_for_pickup
    "availableforpickup": "available_for_pickup", "readyforpickup": "available_for_pickup",
    "readyforcollection": "available_for_pickup", "awaitingcollection": "available_for_pickup",
    # attempt_fail
    "attemptfail": "attempt_fail", "attemptfailed": "attempt_fail", "failedattempt": "attempt_fail",
    "attempteddelivery": "attempt_fail", "deliveryattempted": "attempt_fail",
    "deliveryfailure": "attempt_fail", "undelivered": "attempt_fail",
    # delivered
    "delivered": "delivered", "collected": "delivered",
    # exception
    "exception": "exception", "failure": "exception", "error": "exception", "lost": "exception",
    "damaged": "exception", "deliveryexception": "exception",
    # expired: tracking stopped updating
    "expired": "expired",
    # returning
    "returning": "returning", "returned": "returning", "returntosender": "returning",
    "returningtosender": "returning", "returnedtosender": "returning", "exceptionreturning": "returning",
    "exceptionreturned": "returning",
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _alias_key(value: str) -> str:
    return _NON_ALNUM.sub("", value.lower())


def shipment_status(value: str) -> str | None:
    """A carrier's or aggregator's tracking status -> canonical shipment status, None if unknown."""
    return _SHIPMENT_STATUS_ALIASES.get(_alias_key(value))


def shipment_status_aliases() -> tuple[str, ...]:
    """Every spelling shipment_status() knows, in its plainest form (lower case, no separators)."""
    return tuple(_SHIPMENT_STATUS_ALIASES)


# Shipment statuses that mean "something went wrong, the shopper should look".
PROBLEM_SHIPMENT_STATUSES = frozenset({"attempt_fail", "exception", "expired", "returning"})

# Progress bar steps, in order. A shipment status maps onto the furthest step it has reached.
PROGRESS_STEPS: tuple[str, ...] = ("ordered", "shipped", "out_for_delivery", "delivered")
_SHIPMENT_STEP = {
    "pending": 0,
    "info_received": 0,
    "in_transit": 1,
    "available_for_pickup": 2,
    "attempt_fail": 2,
    "out_for_delivery": 2,
    "delivered": 3,
    "exception": 1,
    "expired": 1,
    "returning": 1,
}


def shipment_step(status: str) -> int:
    return _SHIPMENT_STEP.get(status, 0)


def order_progress(
    order_status: str, fulfillment_status: str, shipment_statuses: list[str]
) -> tuple[int, bool]:
    """Return (index of the step reached, whether a problem should be flagged)."""
    problem = order_status == "cancelled" or any(s in PROBLEM_SHIPMENT_STATUSES for s in shipment_statuses)
    if not shipment_statuses:
        step = 1 if fulfillment_status == "fulfilled" else 0
        return step, problem
    # The order is only as far along as its slowest shipment, unless it is all delivered.
    steps = [shipment_step(s) for s in shipment_statuses]
    step = min(steps)
    if fulfillment_status == "partially_fulfilled":
        step = min(step, 1)
    return step, problem


# -- platform vocabularies ---------------------------------------------------------------------
# One table per platform and field. A value missing from its table is kept raw on the order
# (Order.raw_statuses) and mapped by `closest()`, so a new platform value never breaks ingestion.

SHOPIFY_FINANCIAL_STATUS: dict[str, str] = {
    "pending": "pending",
    "authorized": "authorized",
    "partially_paid": "partially_paid",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
    "expired": "expired",
}
SHOPIFY_FULFILLMENT_STATUS: dict[str, str] = {
    "": "unfulfilled",  # Shopify sends null for "nothing shipped yet"
    "unfulfilled": "unfulfilled",
    "open": "unfulfilled",
    "restocked": "unfulfilled",
    "pending_fulfillment": "in_progress",
    "in_progress": "in_progress",
    "scheduled": "scheduled",
    "on_hold": "on_hold",
    "partial": "partially_fulfilled",
    "partially_fulfilled": "partially_fulfilled",
    "fulfilled": "fulfilled",
}
SHOPIFY_CANCEL_REASON: dict[str, str] = {
    "customer": "customer",
    "declined": "declined",
    "fraud": "fraud",
    "inventory": "inventory",
    "staff": "staff",
    "other": "other",
}
SHOPIFY_SHIPMENT_STATUS: dict[str, str] = {
    "label_printed": "info_received",
    "label_purchased": "info_received",
    "confirmed": "info_received",
    "carrier_picked_up": "in_transit",
    "picked_up": "in_transit",
    "in_transit": "in_transit",
    "delayed": "exception",
    "out_for_delivery": "out_for_delivery",
    "attempted_delivery": "attempt_fail",
    "ready_for_pickup": "available_for_pickup",
    "delivered": "delivered",
    "failure": "exception",
}
# Return objects carry a status; the topic names the step when the status is absent.
SHOPIFY_RETURN_STATUS: dict[str, str] = {
    "requested": "requested",
    "open": "in_progress",
    "closed": "returned",
    "declined": "declined",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}
SHOPIFY_RETURN_TOPIC: dict[str, str] = {
    "returns/request": "requested",
    "returns/approve": "in_progress",
    "returns/reopen": "in_progress",
    "returns/process": "in_progress",
    "returns/update": "in_progress",
    "returns/decline": "declined",
    "returns/cancel": "cancelled",
    "returns/close": "returned",
}

# BigCommerce status_id -> (order status, payment, fulfilment, cancel reason). A None fulfilment
# is taken from items_shipped / items_total, which the status alone does not tell.
BIGCOMMERCE_STATUS: dict[int, tuple[str, str, str | None, str | None]] = {
    0: ("open", "pending", "unfulfilled", None),              # Incomplete
    1: ("open", "pending", "unfulfilled", None),              # Pending
    2: ("open", "paid", "fulfilled", None),                   # Shipped
    3: ("open", "paid", "partially_fulfilled", None),         # Partially Shipped
    4: ("open", "refunded", None, None),                      # Refunded
    5: ("cancelled", "voided", "unfulfilled", "other"),       # Cancelled
    6: ("cancelled", "voided", "unfulfilled", "declined"),    # Declined
    7: ("open", "pending", "unfulfilled", None),              # Awaiting Payment
    8: ("open", "paid", "in_progress", None),                 # Awaiting Pickup
    9: ("open", "paid", "in_progress", None),                 # Awaiting Shipment
    10: ("open", "paid", "fulfilled", None),                  # Completed
    11: ("open", "paid", "unfulfilled", None),                # Awaiting Fulfillment
    12: ("open", "pending", "on_hold", None),                 # Manual Verification Required
    13: ("open", "paid", "on_hold", None),                    # Disputed
    14: ("open", "partially_refunded", None, None),           # Partially Refunded
}

# WooCommerce status -> (order status, payment, fulfilment, cancel reason).
WOOCOMMERCE_STATUS: dict[str, tuple[str, str, str, str | None]] = {
    "pending": ("open", "pending", "unfulfilled", None),
    "processing": ("open", "paid", "unfulfilled", None),
    "on-hold": ("open", "pending", "on_hold", None),
    "completed": ("open", "paid", "fulfilled", None),
    "cancelled": ("cancelled", "voided", "unfulfilled", "other"),
    "refunded": ("open", "refunded", "unfulfilled", None),
    "failed": ("cancelled", "voided", "unfulfilled", "declined"),
    "checkout-draft": ("open", "pending", "unfulfilled", None),
    "trash": ("archived", "pending", "unfulfilled", None),
}

# Keywords, tried in order, that place an unknown value near a canonical one ("partial-shipped",
# "wc-awaiting-shipment", "Delivered to neighbour"...). None means no keyword matched.
_CLOSEST: dict[str, tuple[tuple[str, str], ...]] = {
    "payment_status": (
        ("partially_refund", "partially_refunded"), ("partial_refund", "partially_refunded"),
        ("refund", "refunded"), ("partially_paid", "partially_paid"), ("void", "voided"),
        ("expir", "expired"), ("auth", "authorized"), ("unpaid", "pending"), ("paid", "paid"),
        ("captur", "paid"), ("pending", "pending"), ("awaiting_pay", "pending"),
    ),
    "fulfillment_status": (
        ("partial", "partially_fulfilled"), ("hold", "on_hold"), ("schedul", "scheduled"),
        ("await", "in_progress"), ("ready", "in_progress"), ("pack", "in_progress"),
        ("process", "in_progress"), ("progress", "in_progress"), ("unfulfil", "unfulfilled"),
        ("ship", "fulfilled"), ("deliver", "fulfilled"), ("fulfil", "fulfilled"), ("complete", "fulfilled"),
    ),
    "shipment": (
        ("out_for", "out_for_delivery"), ("attempt", "attempt_fail"), ("pickup", "available_for_pickup"),
        ("pick_up", "available_for_pickup"), ("return", "returning"), ("deliver", "delivered"),
        ("transit", "in_transit"), ("ship", "in_transit"), ("label", "info_received"),
        ("info", "info_received"), ("exception", "exception"), ("fail", "exception"),
        ("delay", "exception"), ("expir", "expired"),
    ),
    "return_status": (
        ("request", "requested"), ("declin", "declined"), ("reject", "declined"), ("cancel", "cancelled"),
        ("clos", "returned"), ("complete", "returned"), ("received", "returned"), ("return", "returned"),
        ("open", "in_progress"), ("progress", "in_progress"), ("approv", "in_progress"),
    ),
    "cancel_reason": (
        ("fraud", "fraud"), ("stock", "inventory"), ("inventor", "inventory"), ("declin", "declined"),
        ("payment", "declined"), ("customer", "customer"), ("staff", "staff"), ("merchant", "staff"),
    ),
    "status": (("cancel", "cancelled"), ("fail", "cancelled"), ("archiv", "archived"), ("trash", "archived")),
}


def status_key(value: object) -> str:
    """Platform spellings vary in case and separators: "On-Hold", "on_hold", "on hold"."""
    return "_".join(str(value if value is not None else "").strip().lower().replace("-", " ").split())


def closest(kind: str, value: object) -> str | None:
    key = status_key(value)
    for keyword, canonical in _CLOSEST[kind]:
        if keyword in key:
            return canonical
    return None
