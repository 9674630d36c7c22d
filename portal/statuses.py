"""Canonical status vocabularies.

Every platform value is mapped onto these (one table per platform); the templates and the
progress bar only ever see canonical values.
"""

from __future__ import annotations

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
