"""Return requests, the shop's side: approve, decline, receive, refund (console, API, platform
webhooks alike). Each step moves the request, the order's return status, its shopper timeline and
queues an e-mail to the shopper, in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from portal import inputs
from portal.i18n import gettext
from portal.i18n.labels import status_label
from portal.live import hub
from portal.notify import return_mail
from portal.orders import return_queue, return_rules, staff_log
from portal.orders.changes import add_timeline, timeline_row, touch
from portal.return_schemas import HTTPS_URL_PATTERN, MAX_DECLINE_REASON, MAX_INSTRUCTIONS
from portal.store import queries
from portal.store import returns as store
from portal.store.models import Merchant, Order, utcnow
from portal.store.shopper_requests import ReturnRequest

# The shopper's timeline entry for each status a request reaches (portal/i18n/labels.py words them).
TIMELINE_KINDS = {
    "requested": "return_requested",
    "approved": "return_approved",
    "declined": "return_declined",
    "received": "returned",
    "refunded": "return_refunded",
}
_HTTPS_URL = re.compile(HTTPS_URL_PATTERN)


class ReturnStepError(ValueError):
    """A step the request cannot take (from its status, or with these details), in words for staff."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class StepInput:
    action: str
    instructions: str | None = None
    label_url: str | None = None
    reason: str | None = None
    # A platform's step (a webhook): the platform has told the shopper itself, so no words are needed.
    from_platform: bool = False


def settle(session: Session, merchant: Merchant, order: Order, request: ReturnRequest, before: str | None,
           actor: staff_log.Actor) -> None:
    """What a request reaching its status (from `before`, None for a new one) does to the order: its
    return status from all its requests, the shopper's and the staff timeline, an e-mail to the
    shopper, and the page told (version counted up)."""
    statuses = [r.status for r in store.requests_of_order(session, merchant.id, order.id)]
    wanted = return_rules.order_return_status(statuses, order.return_status)
    facts = [hub.Fact("return_request", request.status)]
    changes = {"return_request": [before, request.status]}
    if wanted != order.return_status:
        changes["return_status"] = [order.return_status, wanted]
        order.return_status = wanted
        facts.append(hub.Fact("return_status", wanted))
    staff_log.record(session, order, actor, "updated", changes)
    add_timeline(session, [timeline_row(order, TIMELINE_KINDS[request.status], utcnow(),
                                        {"return_id": request.id})])
    return_mail.queue(session, merchant, order, request)
    touch(session, order, ("status", "timeline", "returns"), *facts)


def _text(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ReturnStepError(gettext("At most %(num)d characters.") % {"num": limit}, field)
    if inputs.text_problem(text, single_line=False):
        raise ReturnStepError(gettext("This text contains a character that cannot be stored."), field)
    return text or None


def check(step: StepInput) -> dict[str, str | None]:
    """The columns a step sets, once its details are checked (ReturnStepError otherwise)."""
    if step.action not in return_rules.ACTIONS:
        raise ReturnStepError(gettext("Unknown action: use approve, decline, receive or refund."), "action")
    if step.action == "approve":
        instructions = _text(step.instructions, MAX_INSTRUCTIONS, "instructions")
        if not instructions and not step.from_platform:
            raise ReturnStepError(gettext("Tell the shopper how to send the items back."), "instructions")
        label = (step.label_url or "").strip()
        if label and (len(label) > 1000 or not _HTTPS_URL.match(label)):
            raise ReturnStepError(gettext("The return label must be an https:// address."), "label_url")
        return {"instructions": instructions, "label_url": label or None}
    if step.action == "decline":
        reason = _text(step.reason, MAX_DECLINE_REASON, "reason")
        if not reason and not step.from_platform:
            raise ReturnStepError(gettext("Tell the shopper why the return is declined."), "reason")
        return {"decline_reason": reason}
    return {}


def take(session: Session, merchant: Merchant, request_id: int, step: StepInput, actor: staff_log.Actor,
         link: tuple[str, str] | None = None) -> return_queue.Entry | None:
    """Take a step on one of the shop's requests: the request as it is now, or None when the shop
    has no such request.
    `link`: (source, external id) of a platform's return this request is now known as."""
    values = check(step)
    request = store.request_by_id(session, merchant.id, request_id)
    if request is None:
        return None
    order = queries.order_by_id(session, merchant.id, request.order_id)
    if order is None:
        return None
    target = return_rules.step(request.status, step.action)
    if target is None:
        raise ReturnStepError(_refusal(step.action, request.status), "action")
    for name, value in values.items():
        setattr(request, name, value)
    if link is not None:
        request.source, request.external_id = link
    before, request.status = request.status, target
    request.updated_at = utcnow()
    session.add(request)
    session.flush()
    settle(session, merchant, order, request, before, actor)
    return return_queue.entry(session, merchant.id, request.id)


def _refusal(action: str, status: str) -> str:
    values = {"status": status_label("return_request", status)}
    if action == "approve":
        return gettext("Only a requested return can be approved (this one: %(status)s).") % values
    if action == "decline":
        return gettext("Only a requested or approved return can be declined (this one: %(status)s).") % values
    if action == "receive":
        return gettext("Only an approved return can be marked received (this one: %(status)s).") % values
    return gettext("Only a received return can be marked refunded (this one: %(status)s).") % values
