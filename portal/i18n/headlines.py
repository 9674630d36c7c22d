"""The order page's headline in words: the shopper's locale, Babel's dates (portal/orders/headline.py
decides what it says)."""

from __future__ import annotations

from typing import Any

from portal.i18n.formatting import day_span as days
from portal.i18n.labels import N_, status_label
from portal.i18n.translate import gettext, ngettext

CANCELLED = {
    "customer": N_("Cancelled: at your request"),
    "declined": N_("Cancelled: the payment was declined"),
    "fraud": N_("Cancelled: for security reasons"),
    "inventory": N_("Cancelled: items were out of stock"),
    "staff": N_("Cancelled: by the shop"),
}
PROBLEM = {
    "exception": N_("Delivery problem: the carrier reported a problem"),
    "attempt_fail": N_("Delivery problem: delivery attempt failed"),
    "returning": N_("Delivery problem: returning to sender"),
    "expired": N_("Delivery problem: tracking stopped updating"),
}


def headline_text(headline: Any) -> str:
    """The headline sentence, in the active locale."""
    kind = headline.kind
    if kind == "cancelled":
        return gettext(CANCELLED.get(headline.reason, "Cancelled"))
    if kind == "return":
        return status_label("return_status", headline.reason)
    if kind == "problem":
        return gettext(PROBLEM.get(headline.reason, PROBLEM["exception"]))
    if kind == "pickup":
        if headline.place:
            return gettext("Ready for pickup at %(place)s") % {"place": headline.place}
        return gettext("Ready for pickup")
    if kind == "out_for_delivery":
        return gettext("Out for delivery today") if headline.today else gettext("Out for delivery")
    if kind == "delivered":
        if headline.start is None:
            return gettext("Delivered")
        return gettext("Delivered %(date)s") % {"date": days(headline.start)}
    if kind == "partly_delivered":
        if headline.delivered == headline.parcels:
            return gettext("Partly delivered: more items to come")
        return ngettext("%(delivered)s of %(total)s parcel delivered", "%(delivered)s of %(total)s parcels delivered",
                        headline.parcels) % {"delivered": headline.delivered, "total": headline.parcels}
    if kind in ("arriving", "preparing") and headline.start is not None:
        if headline.estimate:
            return gettext("Estimated arrival %(dates)s") % {"dates": days(headline.start, headline.end)}
        if headline.today:
            return gettext("Arriving today")
        return gettext("Arriving %(dates)s") % {"dates": days(headline.start, headline.end)}
    if kind == "late":
        return gettext("Running late: expected %(dates)s") % {"dates": days(headline.start, headline.end)}
    if kind == "on_hold":
        return gettext("Your order is on hold")
    if kind == "preparing":
        return gettext("Preparing your order")
    return gettext("On its way")


def headline_detail(headline: Any) -> str:
    """A second, smaller line where the headline needs one ("" where it does not)."""
    if headline.kind == "preparing" and headline.estimate:
        return gettext("Preparing your order. Estimate based on the shop's usual processing and delivery times.")
    if headline.estimate:
        return gettext("Estimate based on the shop's usual delivery times.")
    if headline.unshipped and not (headline.kind == "partly_delivered" and headline.delivered == headline.parcels):
        return gettext("Some items have not shipped yet.")
    return ""
