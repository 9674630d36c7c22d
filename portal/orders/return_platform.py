"""A platform's return (a Shopify `returns/*` webhook) moving the portal's own request for it.

The platform's return is the shopper's request when it carries the request's platform id, else the
oldest request of the order still in flight (requested or approved) that no platform return has
claimed yet: that request is linked to the platform's id from then on."""

from __future__ import annotations

from sqlmodel import Session

from portal.i18n.labels import N_
from portal.i18n.messages import Message
from portal.orders import return_rules, return_steps, staff_log
from portal.orders.return_steps import StepInput
from portal.store import returns as store
from portal.store.models import Merchant, Order
from portal.store.shopper_requests import ReturnRequest

# The order's canonical return status a platform reports -> the step it means for the request.
STEP_FOR = {"in_progress": "approve", "declined": "decline", "returned": "receive"}


def _request_for(session: Session, merchant: Merchant, order: Order, source: str,
                 external_id: str | None) -> ReturnRequest | None:
    if external_id:
        linked = store.request_by_external_id(session, merchant.id, source, external_id)
        if linked is not None and linked.order_id == order.id:
            return linked
    return next((r for r in store.requests_of_order(session, merchant.id, order.id)
                 if r.external_id is None and r.status in ("requested", "approved")), None)


def apply(session: Session, merchant: Merchant, order: Order, source: str, external_id: str | None,
          status: str, decline_note: str | None = None) -> Message | None:
    """Move the order's request as the platform's return says (`status`: a canonical order return
    status); what was done, in words for the delivery log, or None when no request of the order is
    concerned (then the platform's status applies to the order alone)."""
    request = _request_for(session, merchant, order, source, external_id)
    if request is None:
        return None
    link = (source, external_id) if external_id else None
    action = STEP_FOR.get(status)
    if action is None or return_rules.step(request.status, action) is None:
        if link and request.external_id != external_id:
            request.source, request.external_id = link
            session.add(request)
        return Message(N_("return request %(request)s is %(return_request)s; the platform's %(return_status)s "
                          "changes nothing"), {"request": request.id, "return_request": request.status,
                                               "return_status": status})
    # The platform tells the shopper how to send the items back itself: no instructions are needed.
    return_steps.take(session, merchant, request.id, StepInput(action, reason=decline_note, from_platform=True),
                      staff_log.webhook(source), link)
    return Message(N_("return request %(request)s %(return_request)s"),
                   {"request": request.id, "return_request": return_rules.ACTIONS[action][1]})
