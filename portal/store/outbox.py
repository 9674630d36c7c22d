"""Outbox rows: queue, claim with a lease, settle. Every claim is a conditional UPDATE, so two
workers (or two processes of `portal serve`) never hold the same row at once."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from portal.store.writes import insert_rows
from portal.store.models import utcnow
from portal.store.records import OutboxMessage


def message(merchant_id: int, order_id: int | None, kind: str, recipient: str, dedupe_key: str,
            params: dict[str, Any] | None = None) -> dict[str, Any]:
    """An outbox row for queue()."""
    return {"merchant_id": merchant_id, "order_id": order_id, "kind": kind, "recipient": recipient,
            "dedupe_key": dedupe_key, "params": params or {}, "message_token": secrets.token_hex(12)}


def queue(session: Session, messages: list[dict[str, Any]]) -> int:
    """Add messages in the caller's transaction; returns how many were new (a change already queued
    is skipped by its dedupe key).

    One statement however many (no lookup first, no savepoint): a bulk of carrier events may queue dozens.
    """
    return insert_rows(session, OutboxMessage, messages, skip_duplicates_of=_DEDUPE)


_DEDUPE = ["merchant_id", "dedupe_key"]


def _due(now: datetime):
    return or_(
        and_(col(OutboxMessage.state) == "pending", col(OutboxMessage.next_attempt_at) <= now),
        and_(col(OutboxMessage.state) == "sending", col(OutboxMessage.lease_until) < now),
    )


def claim(session: Session, lease_seconds: float, limit: int = 20, now: datetime | None = None) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to this caller; each claim counts as an attempt."""
    now = now or utcnow()
    ids = session.exec(select(OutboxMessage.id).where(_due(now))
                       .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)).limit(limit)).all()
    claimed: list[OutboxMessage] = []
    for message_id in ids:
        token = secrets.token_hex(8)
        result = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, _due(now))
            .values(state="sending", lease_until=now + timedelta(seconds=lease_seconds), lease_token=token,
                    attempts=OutboxMessage.attempts + 1)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            message = session.get(OutboxMessage, message_id, populate_existing=True)
            if message is not None:
                claimed.append(message)
    session.commit()
    return claimed


def _settle(session: Session, message: OutboxMessage, **values: Any) -> bool:
    """Apply `values` only while this caller still holds the lease it was given."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id, col(OutboxMessage.state) == "sending",
               col(OutboxMessage.lease_token) == message.lease_token)
        .values(lease_until=None, lease_token=None, **values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_sent(session: Session, message: OutboxMessage) -> bool:
    return _settle(session, message, state="sent", sent_at=utcnow(), last_error=None)


def mark_skipped(session: Session, message: OutboxMessage, reason: str) -> bool:
    return _settle(session, message, state="skipped", last_error=reason[:500])


def mark_failed(session: Session, message: OutboxMessage, error: str, max_attempts: int, delay: float) -> bool:
    """Back to the queue after `delay` seconds, or given up once `max_attempts` are used."""
    if message.attempts >= max_attempts:
        return _settle(session, message, state="failed", last_error=error[:500])
    return _settle(session, message, state="pending", last_error=error[:500],
                   next_attempt_at=utcnow() + timedelta(seconds=delay))


def recent(session: Session, merchant_id: int, limit: int = 50) -> Sequence[OutboxMessage]:
    return session.exec(select(OutboxMessage).where(OutboxMessage.merchant_id == merchant_id)
                        .order_by(col(OutboxMessage.id).desc()).limit(limit)).all()


def skip_pending_for_order(session: Session, merchant_id: int, order_id: int, reason: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.merchant_id) == merchant_id, col(OutboxMessage.order_id) == order_id,
               col(OutboxMessage.state) == "pending")
        .values(state="skipped", last_error=reason)
    )


def queued(session: Session, merchant_id: int, dedupe_key: str) -> bool:
    """Whether a message with this dedupe key was ever queued for the shop."""
    return session.exec(select(OutboxMessage.id).where(OutboxMessage.merchant_id == merchant_id,
                                                       OutboxMessage.dedupe_key == dedupe_key)).first() is not None
