"""Orders from shop platforms: one path for Shopify, BigCommerce and WooCommerce deliveries.

A delivery is checked against the receipts (idempotency), applied, recorded and logged in one
transaction; the receiver answers the platform only after that commit. The platform modules
(portal/ingest/platforms/) only translate payloads into our OrderIn/ShipmentIn shapes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from portal import timestamps
from portal.i18n.labels import N_
from portal.i18n.messages import Message, english, nested
from portal.orders import staff_log
from portal.problems import Problem
from portal.orders.upsert import (
    STATUS_FIELDS,
    OrderInputError,
    lock_orders,
    locked_targets,
    number_key,
    stored_order,
    upsert_order,
)
from portal.orders.shipments import remove_shipments, upsert_shipment
from portal.schemas import OrderIn, ShipmentIn, error_list
from portal.store import queries
from portal.store.models import Merchant, Order

log = logging.getLogger(__name__)

# Reasons more than one platform gives.
EXPECTED_OBJECT = N_("expected a JSON object")
NO_ID = N_("the order has no id")


class Rejected(Exception):
    """A delivery we refuse, with the reason the merchant reads in the delivery log (`why`; a
    plain str is words we have no template for) and the platform in our answer (`reason`)."""

    def __init__(self, why: Message | str, status: int = 422) -> None:
        self.why, self.status = why, status
        self.reason = english(why)
        super().__init__(self.reason)


@dataclass(frozen=True)
class Delivery:
    platform: str
    topic: str
    delivery_id: str
    body_hash: str


@dataclass
class Outcome:
    result: str  # stored | duplicate | ignored | rejected
    # Why, as a Message the console translates; a plain str only where we have no template
    # (the order service's own errors, which are English).
    why: Message | str = ""
    order_number: str | None = None
    http_status: int = 200
    # What the body turned out to be, for platforms that do not name it in a header.
    topic: str | None = None

    @property
    def reason(self) -> str:
        """In English: what the platform's answer and the server log say."""
        return english(self.why)


@dataclass
class PlatformOrder:
    """A platform order translated to OrderIn fields. Status fields left out keep their stored value."""

    data: dict[str, Any]
    raw_statuses: dict[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None
    # External ids of shipments the platform cancelled since it sent them.
    removed_shipments: list[str] = field(default_factory=list)
    # Tags over the length we keep, as the platform sent them (the order keeps them cut).
    cut_tags: list[str] = field(default_factory=list)


# -- applying ------------------------------------------------------------------------------------

# Translators: in the webhook delivery log: a field of the platform's order, then what is wrong with it.
FIELD_PROBLEM = N_("%(field)s: %(problem)s")


def field_problem(field_name: str, problem: Any) -> Message | str:
    """"currency: unknown currency code 'QQQ' …" for the log; a Problem (portal.problems) keeps its
    msgid, so the console says it in its reader's language."""
    if isinstance(problem, Problem):
        return Message(FIELD_PROBLEM, {"field": field_name, "problem": nested(problem.message, problem.values)})
    return f"{field_name}: {problem}"


def _invalid(exc: ValidationError | OrderInputError) -> Rejected:
    if isinstance(exc, OrderInputError) and len(exc.problems) == 1:
        return Rejected(field_problem(exc.problems[0]["field"], exc.problems[0]["message"]))
    errors = error_list(exc) if isinstance(exc, ValidationError) else exc.errors
    return Rejected("; ".join(f"{e['field']}: {e['message']}" for e in errors)[:500])


class OrderChange:
    """A platform order to create or update: a delivery's Handler. A payload older than the
    stored order changes nothing."""

    def __init__(self, merchant: Merchant, platform: str, mapped: PlatformOrder, topic: str | None = None) -> None:
        self.merchant, self.platform, self.mapped, self.topic = merchant, platform, mapped, topic
        self.number_key = number_key(str(mapped.data.get("number") or ""))

    def __call__(self, session: Session) -> Outcome:
        outcome = self._apply(session)
        outcome.topic = outcome.topic or self.topic
        return outcome

    def _apply(self, session: Session) -> Outcome:
        data = dict(self.mapped.data)
        # Locked to the commit once read: another server process that created the order meanwhile makes
        # this one's INSERT fail on the order number, and the delivery is received again.
        found = locked_targets(session, self.merchant.id, self.platform, data.get("external_id"), self.number_key)
        existing = found[0]
        if existing is not None:
            stored_at = existing.source_updated_at
            # A version time past what we accept now (stored before the rule) makes nothing look older.
            if (self.mapped.updated_at and stored_at and stored_at > self.mapped.updated_at
                    and timestamps.counts(stored_at, timestamps.ceiling())):
                return Outcome("ignored", Message(N_("older than the version already stored (%(stored_at)s)"),
                                                  {"stored_at": stored_at.isoformat()}), existing.number)
            for name in (*STATUS_FIELDS, "cancel_reason"):
                data.setdefault(name, getattr(existing, name))
        try:
            checked = OrderIn.model_validate(data)
        except ValidationError as exc:
            raise _invalid(exc) from None
        stored = stored_order(session, found[0] or found[1])
        tags_before = list(existing.tags or []) if existing is not None else None
        columns = {"raw_statuses": self.mapped.raw_statuses,
                   "source_updated_at": self.mapped.updated_at or (existing.source_updated_at if existing else None)}
        try:
            result = upsert_order(session, self.merchant, checked, source=self.platform, found=found,
                                  stored=stored, columns=columns, actor=staff_log.webhook(self.platform))
        except (ValidationError, OrderInputError) as exc:
            raise _invalid(exc) from None
        order = result.order
        if self.mapped.cut_tags and list(order.tags or []) != tags_before:  # said once, not at each update
            log.warning("%s order %s: tags longer than 40 characters cut: %s", self.platform, order.number,
                        self.mapped.cut_tags)
            staff_log.record(session, order, staff_log.webhook(self.platform), "tags_cut", {"tags": self.mapped.cut_tags})
        if self.mapped.removed_shipments:
            # Only parcels stored before can belong to a fulfilment the platform cancelled since.
            remove_shipments(session, order, self.mapped.removed_shipments, stored.shipments if stored else [],
                             staff_log.webhook(self.platform))
        return Outcome("stored", Message(N_("order created") if result.created else N_("order updated")),
                       order.number)


def find_order(session: Session, merchant: Merchant, platform: str, external_id: str | None) -> Order | None:
    """The order a fulfilment, refund or return delivery changes, read where no other server process can
    change it before this transaction commits (they work out what to write from it)."""
    if not external_id:
        return None
    order = queries.order_by_external_id(session, merchant.id, platform, external_id)
    lock_orders(session, [order])
    return order


def apply_shipments(session: Session, merchant: Merchant, order: Order, shipments: list[dict[str, Any]],
                    raw_statuses: dict[str, str]) -> Outcome:
    """Shipments for an order we already have (a fulfilment or shipment delivery, from `order.source`)."""
    try:
        checked = [ShipmentIn.model_validate(shipment) for shipment in shipments]
    except ValidationError as exc:
        raise _invalid(exc) from None
    for shipment in checked:
        upsert_shipment(session, merchant, order, shipment, actor=staff_log.webhook(order.source))
    if raw_statuses:
        order.raw_statuses = {**order.raw_statuses, **raw_statuses}
        session.add(order)
    return Outcome("stored", Message(N_("%(count)d shipment(s) updated"), {"count": len(checked)}), order.number)


def not_received_yet(external_id: str | None) -> Outcome:
    # Acknowledged rather than refused: the order's own deliveries carry the same data, and a
    # platform that sees repeated failures disables the whole subscription.
    return Outcome("ignored", Message(N_("order %(order)s has not been received yet"), {"order": external_id}))


# -- the delivery transaction --------------------------------------------------------------------

Handler = Callable[[Session], Outcome]
# A platform's translation of a delivery into what it does to the database (made before the
# delivery waits for the writer; see prepare()).
Plan = Callable[[Merchant, str, Any], Handler]


def prepare(plan: Plan, merchant: Merchant, topic: str, payload: Any) -> Handler:
    """The delivery's Handler from its platform's plan. A plan that fails (a payload we refuse)
    fails when the handler runs instead, in the delivery's transaction: after its receipt is
    checked, as if it had failed there."""
    try:
        return plan(merchant, topic, payload)
    except Exception as exc:  # noqa: BLE001 (raised again, in receive())
        failure = exc

        def failed(_session: Session) -> Outcome:
            raise failure
        return failed


def unused_topic(topic: str) -> Message:
    return Message(N_("topic %(topic)s is not used by the portal"), {"topic": repr(topic)})


def answer(result: str, why: Message) -> Handler:
    """A Handler whose outcome does not depend on the database."""
    return lambda _session: Outcome(result, why)
