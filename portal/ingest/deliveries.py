"""The transaction of a platform delivery: checked against the receipts (idempotency), applied,
recorded and logged together; the receiver answers the platform only after that commit.

Deliveries that wait for this process's writer together are received in one transaction
(receive_many): all are committed, or none and each is then received alone (receive).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal.i18n.labels import N_
from portal.i18n.messages import Message
from portal.ingest.platform_orders import Delivery, Handler, Outcome, Rejected
from portal.store import queries, writes
from portal.store.db import session_scope
from portal.store.models import Merchant, utcnow
from portal.store.records import WebhookDelivery, WebhookReceipt

# The most of a reason the log keeps (the column's size), in English and in any language.
REASON_LENGTH = 500
# Rows of the delivery log kept per merchant; older ones are pruned as new ones arrive.
DELIVERY_LOG_KEEP = 1000
# Platforms retry for hours (Shopify: 48 hours); receipts are kept well beyond that.
RECEIPT_RETENTION = timedelta(days=30)


def receive(engine: Engine, merchant: Merchant, delivery: Delivery, handler: Handler) -> Outcome:
    """Apply a verified, parsed delivery exactly once; the outcome is committed when this returns."""
    for attempt in range(2):
        try:
            with session_scope(engine) as session:
                return _receive_in(session, merchant, delivery, handler)
        except Rejected as exc:
            outcome = Outcome("rejected", exc.why, http_status=exc.status)
            break
        except IntegrityError:
            # A concurrent delivery (the same one, or another creating the same order) committed
            # first: run again, which now finds its receipt or its order.
            if attempt:
                raise
        except Exception as exc:
            # Nothing was stored; the platform retries on our 500. The merchant sees it in the log.
            why = Message(N_("internal error (%(error)s), the platform will retry"), {"error": type(exc).__name__})
            log_outcome(engine, merchant, delivery, Outcome("rejected", why, http_status=500))
            raise
    log_outcome(engine, merchant, delivery, outcome)
    return outcome


def receive_many(engine: Engine, deliveries: list[tuple[Merchant, Delivery, Handler]]) -> list[Outcome]:
    """receive() for deliveries that arrived together, in one transaction: all of them are
    committed, or none (an error is raised, and each should then be received alone)."""
    with session_scope(engine) as session:
        return [_receive_in(session, *delivery) for delivery in deliveries]


def _receive_in(session: Session, merchant: Merchant, delivery: Delivery, handler: Handler) -> Outcome:
    received = queries.receipt_body_hash(session, merchant.id, delivery.platform, delivery.delivery_id)
    if received is not None:
        same = received == delivery.body_hash
        outcome = Outcome("duplicate", Message(N_("already received") if same else
                                               N_("delivery id already received with a different body: not applied")))
    else:
        outcome = handler(session)
        writes.insert_rows(session, WebhookReceipt, [{
            "merchant_id": merchant.id, "platform": delivery.platform,
            "delivery_id": delivery.delivery_id, "body_hash": delivery.body_hash}])
    _log(session, merchant, delivery, outcome)
    return outcome


def log_outcome(engine: Engine, merchant: Merchant, delivery: Delivery, outcome: Outcome) -> None:
    with session_scope(engine) as session:
        _log(session, merchant, delivery, outcome)


def _log(session: Session, merchant: Merchant, delivery: Delivery, outcome: Outcome) -> None:
    # The English reason stays for rows read without the template (and as the fallback); the
    # template and values let the console say it in its reader's language.
    why = outcome.why if isinstance(outcome.why, Message) else None
    entry_id = writes.insert_row(session, WebhookDelivery, {
        "merchant_id": merchant.id, "platform": delivery.platform, "topic": (outcome.topic or delivery.topic)[:64],
        "delivery_id": delivery.delivery_id[:128], "result": outcome.result, "reason": outcome.reason[:REASON_LENGTH],
        "reason_template": why.template if why else None, "reason_values": _kept(why.values) if why else None,
        "order_number": outcome.order_number, "http_status": outcome.http_status,
    })
    if entry_id and entry_id % 100 == 0:
        queries.prune_webhook_deliveries(session, merchant.id, DELIVERY_LOG_KEEP)
    if entry_id and entry_id % 1000 == 0:
        queries.prune_webhook_receipts(session, merchant.id, utcnow() - RECEIPT_RETENTION)


def _kept(values: Mapping[str, Any]) -> dict[str, Any]:
    # A platform's value can be as long as its body; no more of it than the log shows is kept.
    return {name: value[:REASON_LENGTH] if isinstance(value, str) else value for name, value in values.items()}


def log(session: Session, merchant_id: int, limit: int) -> list[WebhookDelivery]:
    """The newest entries of the shop's delivery log."""
    return list(queries.webhook_deliveries(session, merchant_id, limit))


def reason_text(entry: WebhookDelivery) -> tuple[str, bool]:
    """An entry's reason in the active locale, and whether it is; rows logged before templates
    were kept, and errors we have no template for, show their English text."""
    if entry.reason_template is None:
        return entry.reason, False
    try:
        text = Message(entry.reason_template, entry.reason_values or {}).translated()
    except (KeyError, TypeError, ValueError):
        return entry.reason, False  # a translation that does not fit the values: the English still does
    return text[:REASON_LENGTH], True
