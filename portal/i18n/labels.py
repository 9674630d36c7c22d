"""Human names of canonical values (shopper pages and the console). Marked with N_ for extraction,
translated at render."""

from __future__ import annotations

from typing import Any

from portal.i18n import gettext
from portal.problems import N_  # the one marker: defined outside portal.i18n, which money imports


STATUS_LABELS: dict[str, dict[str, str]] = {
    "status": {
        # Translators: order status: the order is active (not completed or cancelled).
        "open": N_("Open"),
        # Translators: order status: the shop has closed the order.
        "archived": N_("Completed"),
        "cancelled": N_("Cancelled"),
    },
    "cancel_reason": {
        "customer": N_("Cancelled at your request"),
        "declined": N_("Payment was declined"),
        "fraud": N_("Cancelled for security reasons"),
        "inventory": N_("Items were out of stock"),
        "staff": N_("Cancelled by the shop"),
        "other": N_("Cancelled"),
    },
    "payment_status": {
        "pending": N_("Payment pending"),
        "authorized": N_("Payment authorized"),
        "partially_paid": N_("Partially paid"),
        "paid": N_("Paid"),
        "partially_refunded": N_("Partially refunded"),
        "refunded": N_("Refunded"),
        "voided": N_("Payment voided"),
        "expired": N_("Payment expired"),
    },
    "fulfillment_status": {
        "unfulfilled": N_("Not shipped yet"),
        # Translators: fulfilment status: shipping is planned for a later date.
        "scheduled": N_("Scheduled"),
        "on_hold": N_("On hold"),
        "in_progress": N_("Being prepared"),
        "partially_fulfilled": N_("Partially shipped"),
        "fulfilled": N_("Shipped"),
        # Not a stored value: shown once every shipment of a fulfilled order is delivered.
        "delivered": N_("Delivered"),
        # Not a stored value: every parcel has arrived, but the shop has more items to ship.
        "partially_delivered": N_("Partly delivered"),
    },
    "return_status": {
        # Translators: return status when nothing is being sent back.
        "none": N_("No return"),
        "requested": N_("Return requested"),
        "in_progress": N_("Return in progress"),
        "returned": N_("Returned"),
        "declined": N_("Return declined"),
        "cancelled": N_("Return cancelled"),
    },
    # A return request's own status (an order may have several requests).
    "return_request": {
        # Translators: status of a return request: the shopper asked, the shop has not answered yet.
        "requested": N_("Requested"),
        "approved": N_("Approved"),
        "declined": N_("Declined"),
        # Translators: status of a return request: the shop has the items back.
        "received": N_("Received by the shop"),
        "refunded": N_("Refunded"),
    },
    "shipment": {
        # Translators: shipment status: a shipping label exists, the carrier has no parcel yet.
        "pending": N_("Label created"),
        "info_received": N_("Carrier informed"),
        "in_transit": N_("In transit"),
        "out_for_delivery": N_("Out for delivery"),
        "available_for_pickup": N_("Ready for pickup"),
        "attempt_fail": N_("Delivery attempt failed"),
        "delivered": N_("Delivered"),
        "exception": N_("Delivery problem"),
        "expired": N_("Tracking expired"),
        "returning": N_("Returning to sender"),
    },
    # Console only: what became of a platform's webhook delivery.
    "delivery_result": {
        # Translators: webhook delivery result: the order data was saved.
        "stored": N_("Stored"),
        # Translators: webhook delivery result: the same delivery had already been received.
        "duplicate": N_("Duplicate"),
        "ignored": N_("Ignored"),
        "rejected": N_("Rejected"),
    },
    # Console only: a shopper e-mail in the outbox.
    "outbox_state": {
        # Translators: e-mail state: queued, not sent yet.
        "pending": N_("Waiting"),
        "sending": N_("Sending"),
        "sent": N_("Sent"),
        # Translators: e-mail state: not sent on purpose (e.g. the shopper unsubscribed).
        "skipped": N_("Skipped"),
        # Translators: e-mail state: sending failed for good.
        "failed": N_("Failed"),
    },
    "progress": {
        # Translators: first step of the delivery progress bar (past participle).
        "ordered": N_("Ordered"),
        "shipped": N_("Shipped"),
        "out_for_delivery": N_("Out for delivery"),
        "delivered": N_("Delivered"),
    },
}

# Badge tone per value, for the theme's colours: good, info, warn, bad, neutral.
TONES: dict[str, str] = {
    "paid": "good", "fulfilled": "good", "delivered": "good", "returned": "good", "archived": "good",
    "refunded": "info", "partially_refunded": "info", "authorized": "info", "in_transit": "info",
    "out_for_delivery": "info", "in_progress": "info", "available_for_pickup": "info",
    "partially_fulfilled": "info", "partially_delivered": "info", "partially_paid": "warn", "requested": "info",
    "pending": "neutral", "unfulfilled": "neutral", "scheduled": "neutral", "none": "neutral", "open": "neutral",
    "info_received": "neutral",
    "stored": "good", "sent": "good", "sending": "info", "duplicate": "neutral", "ignored": "neutral",
    "skipped": "neutral", "rejected": "bad", "failed": "bad",
    "on_hold": "warn", "attempt_fail": "warn", "returning": "warn", "expired": "warn",
    "cancelled": "bad", "voided": "bad", "exception": "bad", "declined": "bad",
    "approved": "info", "received": "good",
}


def status_label(kind: str, value: str | None) -> str:
    if value is None:
        return ""
    return gettext(STATUS_LABELS.get(kind, {}).get(value, value))


def tone(value: str | None) -> str:
    return TONES.get(value or "", "neutral")


def _plain(text: str) -> str:
    return " ".join(text.casefold().strip().rstrip(".!").split())


def adds_to(message: str | None, status: str | None) -> bool:
    """Whether a carrier's message says more than its status's name ("Out for delivery" under
    "Out for delivery" does not), in the shopper's language or the source's."""
    if not message:
        return False
    source = STATUS_LABELS["shipment"].get(status or "", status or "")
    return _plain(message) not in {_plain(source), _plain(gettext(source))}


def timeline_text(kind: str, params: dict[str, Any]) -> str:
    """The shopper's sentence for a timeline entry, in the active locale."""
    if kind == "placed":
        return gettext("Order placed")
    if kind == "paid":
        return gettext("Payment received")
    if kind == "partially_refunded":
        return gettext("Part of your payment was refunded")
    if kind == "refunded":
        return gettext("Your payment was refunded")
    if kind == "cancelled":
        reason = params.get("reason")
        if reason and reason in STATUS_LABELS["cancel_reason"]:
            return gettext("Order cancelled: %(reason)s") % {"reason": status_label("cancel_reason", reason)}
        return gettext("Order cancelled")
    if kind == "partially_fulfilled":
        return gettext("Part of your order has shipped")
    if kind == "fulfilled":
        return gettext("Your order has shipped")
    if kind == "on_hold":
        return gettext("Your order is on hold")
    if kind == "shipped":
        carrier = params.get("carrier")
        if carrier:
            return gettext("Shipped with %(carrier)s") % {"carrier": carrier}
        return gettext("A shipment is on its way")
    if kind == "delivered":
        return gettext("Delivered")
    if kind == "return_requested":
        return gettext("Return requested")
    if kind == "return_in_progress":
        return gettext("Your return is on its way back")
    if kind == "returned":
        return gettext("Return received")
    if kind == "return_declined":
        return gettext("Return declined")
    if kind == "return_approved":
        return gettext("Return approved")
    if kind == "return_refunded":
        return gettext("Your return was refunded")
    if kind == "message":
        return str(params.get("text", ""))
    return kind
