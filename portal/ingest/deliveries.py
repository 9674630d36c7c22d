"""The transaction of a platform delivery: checked against the receipts (idempotency), applied,
recorded and logged together; the receiver answers the platform only after that commit.

Deliveries that wait for this process's writer together are received in one transaction
(receive_many): all are committed, or none and each is then received alone (receive).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal.ingest.platform_orders import Delivery, Handler, Outcome, Rejected
from portal.store import queries, writes
from portal.store.db import session_scope
from portal.store.models import Merchant, utcnow
from portal.store.records import WebhookDelivery, WebhookReceipt

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
            outcome = Outcome("rejected", exc.reason, http_status=exc.status)
            break
        except IntegrityError:
            # A concurrent delivery (the same one, or another creating the same order) committed
            # first: run again, which now finds its receipt or its order.
            if attempt:
                raise
        except Exception as exc:
            # Nothing was stored; the platform retries on our 500. The merchant sees it in the log.
            log_outcome(engine, merchant, delivery, Outcome("rejected", f"internal error ({type(exc).__name__}), "
                                                                        "the platform will retry", http_status=500))
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
        outcome = Outcome("duplicate", "already received" if same else
                          "delivery id already received with a different body: not applied")
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
    entry_id = writes.insert_row(session, WebhookDelivery, {
        "merchant_id": merchant.id, "platform": delivery.platform, "topic": (outcome.topic or delivery.topic)[:64],
        "delivery_id": delivery.delivery_id[:128], "result": outcome.result, "reason": outcome.reason[:500],
        "order_number": outcome.order_number, "http_status": outcome.http_status,
    })
    if entry_id and entry_id % 100 == 0:
        queries.prune_webhook_deliveries(session, merchant.id, DELIVERY_LOG_KEEP)
    if entry_id and entry_id % 1000 == 0:
        queries.prune_webhook_receipts(session, merchant.id, utcnow() - RECEIPT_RETENTION)


def log(session: Session, merchant_id: int, limit: int) -> list[WebhookDelivery]:
    """The newest entries of the shop's delivery log."""
    return list(queries.webhook_deliveries(session, merchant_id, limit))
